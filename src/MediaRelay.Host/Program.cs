using System.CommandLine;
using MediaRelay.Host.Cli;

var root = new RootCommand(
    "mediarelay: a SIP media relay. SIP proxies (Kamailio, OpenSIPS) drive it with rtpengine's ng protocol; " +
    "it allocates UDP ports, rewrites SDP, learns each phone's real address and relays RTP/RTCP between them.")
{
    RunCommand.Create(),
    SessionsCommand.Create(),
    SessionCommand.Create(),
    StatsCommand.Create(),
    TerminateCommand.Create(),
    DrainCommand.Create(),
    TopCommand.Create(),
    AccountingCommand.Create(),
    AccountingWorkerCommand.Create(),
};

// SIGTERM and Ctrl+C belong to the generic host (its console lifetime), which stops the relay gracefully however
// long that takes. System.CommandLine's own handling would return exit code 143 (130 for Ctrl+C) two seconds after
// the signal, in the middle of the stop, before the sessions logged their end.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
