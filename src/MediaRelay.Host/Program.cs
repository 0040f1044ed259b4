using System.CommandLine;
using MediaRelay.Host.Cli;

var root = new RootCommand(
    "mediarelay: a SIP media relay. SIP proxies (Kamailio, OpenSIPS) drive it with rtpengine's ng protocol; " +
    "it allocates UDP ports, rewrites SDP, learns each phone's real address and relays RTP/RTCP between them.")
{
    RunCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
