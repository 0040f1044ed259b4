using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MediaRelay.Control.MediaProxy;
using MediaRelay.Control.Ng;
using MediaRelay.Control.Rtpproxy;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Host.Configuration;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// Runs the control path before ng listens, so that the first real calls do not wait for the JIT: a private ng server
/// on a loopback port of its own, over a private session manager on the relay's packet path, takes calls as a proxy
/// sends them (offer, answer, query, delete; audio alone and audio with video; IPv4 and, when the relay has an
/// IPv6 address, IPv6); when MediaProxy's or rtpproxy's protocol is configured, a private handler of it takes calls
/// too (update, update, remove; U, L, D), then everything is closed. The relay's own sessions, statistics, request figures, accounting
/// and logs never see these calls: nothing of them is shared but the code and the packet path, and the ports they took are closed
/// again before the relay's session manager takes any (the packet path closes them on its loops' threads: the warm-up
/// waits, a moment at most, until /proc shows them free).
/// Each call takes two pairs of ports per stream and gives them back at its delete (a range of fewer than four pairs
/// gets no video). Left cold, for the first real requests: the recording of request figures (the warm-up's are not
/// counted), and MediaProxy's and rtpproxy's own sockets and framing (their handlers are called directly). The
/// packet path's round and wake-up counters do count the warm-up's binds and closes.
/// </summary>
internal static class ControlWarmUp
{
    /// <summary>How long the relay waits, after the warm-up, for the packet path to have closed its ports.</summary>
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(1);

    /// <summary>Calls per round: enough for the runtime to count the hot methods' calls and compile them again, optimised.</summary>
    private const int CallsPerRound = 40;

    /// <summary>A round after which the JIT compiled fewer methods than this ends the warm-up: the path is compiled.</summary>
    private const int SettledMethods = 8;

    /// <summary>
    /// Takes calls through the ng path in rounds until a round leaves the JIT with (nearly) nothing more to compile,
    /// or <paramref name="budget"/> has passed, or <paramref name="cancellation"/> is set; then waits (a moment) for
    /// the ports it took to be closed. <paramref name="taken"/> is what other programs held of the port range just
    /// before (<see cref="PortRangeCheck.Count"/>, as the start has logged it). Never throws: the relay starts anyway, a warm-up is an optimisation, not a
    /// condition; an error reply or an exception is in <see cref="WarmUpResult.Failure"/>.
    /// </summary>
    public static WarmUpResult Run(RelayOptions options, IPacketTransport transport, NgOptions ng, ControlListeners listeners,
        (int PairsTaken, int PortsTaken) taken, TimeSpan budget, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var methodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var outcome = new Outcome();
        try
        {
            try
            {
                var freePairs = PortRangeCheck.Pairs(options) - taken.PairsTaken;
                Calls(options, transport, ng, listeners, freePairs, started + (long)(budget.TotalSeconds * Stopwatch.Frequency), outcome,
                    cancellation);
            }
            finally
            {
                // The loops close sockets on their own threads: the relay's first calls must find the range as it was.
                var deadline = Stopwatch.GetTimestamp() + (long)(CloseWait.TotalSeconds * Stopwatch.Frequency);
                while (PortRangeCheck.Count(options).PortsTaken > taken.PortsTaken && Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.Sleep(5);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever it is, the relay's start goes on without the rest of the warm-up.
            outcome.End = WarmUpEnd.Failed;
            outcome.Failure = e.GetType().Name + ": " + e.Message;
        }

        return new WarmUpResult(outcome.Calls, outcome.Rounds, System.Runtime.JitInfo.GetCompiledMethodCount() - methodsBefore,
            Stopwatch.GetElapsedTime(started), outcome.End, outcome.Protocols, outcome.Failure);
    }

    /// <summary>What the rounds did so far; an exception leaves what was done before it.</summary>
    private sealed class Outcome
    {
        public int Calls { get; set; }

        public int Rounds { get; set; }

        public WarmUpEnd End { get; set; } = WarmUpEnd.Settled;

        public string Protocols { get; set; } = "ng";

        public string? Failure { get; set; }
    }

    /// <summary>The rounds of calls, through a private ng server and session manager that are closed before it returns.</summary>
    private static void Calls(RelayOptions options, IPacketTransport transport, NgOptions ng, ControlListeners listeners,
        int freePairs, long deadline, Outcome outcome, CancellationToken cancellation)
    {
        using var manager = new SessionManager(options, transport);
        var mediaProxy = listeners.MediaProxySocket is null ? null
            : new MediaProxyHandler(manager, options.EffectiveInterfaces[0].Advertise, countRequests: false);
        var rtpproxy = listeners.RtpproxyUdp.Count + listeners.RtpproxyUnix.Count == 0 ? null
            : new RtpproxyHandler(manager, options.StreamTimeout, countRequests: false);
        var dispatcher = NgCommands.CreateDispatcher(manager, new NgOptions { DeleteDelay = TimeSpan.Zero, CountRequests = false });
        var server = new NgServer(new NgOptions { ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], Workers = ng.Workers }, dispatcher);
        server.Start();
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.Connect(server.LocalEndPoints[0]);
            var exchange = new Exchanger(client, deadline);
            // A call takes a pair for each side of each stream: video only where the range has four pairs free
            // and an offer may carry two streams.
            var video = freePairs >= 4 && options.MaxStreams >= 2 && (options.MaxMediaSockets is 0 || options.MaxMediaSockets >= 8);
            var ipv6 = options.RelayAddressV6 is not null;
            outcome.Protocols = "ng" + (mediaProxy is null ? "" : ", mediaproxy") + (rtpproxy is null ? "" : ", rtpproxy")
                + (ipv6 ? "; IPv4 and IPv6" : "; IPv4") + (video ? "; audio and video" : "; audio");
            while (true)
            {
                var before = System.Runtime.JitInfo.GetCompiledMethodCount();
                for (var i = 0; i < CallsPerRound; i++, outcome.Calls++)
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        outcome.End = WarmUpEnd.Cancelled;
                        return;
                    }

                    var call = outcome.Calls;
                    var v6 = ipv6 && call % 4 == 3;
                    if ((OneCall(exchange, call, video && call % 2 == 1, v6)
                        ?? (mediaProxy is null ? null : MediaProxyCall(mediaProxy, call))
                        ?? (rtpproxy is null ? null : RtpproxyCall(rtpproxy, call, v6))) is { } failure)
                    {
                        // A reply that did not come in the time left is the time limit, not a fault.
                        (outcome.End, outcome.Failure) = failure == Exchanger.TimeUp ? (WarmUpEnd.TimeLimit, null) : (WarmUpEnd.Failed, failure);
                        return;
                    }
                }

                outcome.Rounds++;
                // The runtime counts calls only once no new method has been compiled for 100 ms, and compiles the
                // hot ones again on a thread of its own: give it that time before judging the round.
                Thread.Sleep(150);
                if (System.Runtime.JitInfo.GetCompiledMethodCount() - before < SettledMethods)
                {
                    return;
                }
            }
        }
        finally
        {
            server.StopAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>One call, as a proxy drives it; null when every request got a successful reply, else what failed.</summary>
    private static string? OneCall(Exchanger exchange, int call, bool video, bool ipv6)
    {
        var number = call.ToString(CultureInfo.InvariantCulture);
        var callId = "warm-up-" + number;
        var caller = ipv6 ? "2001:db8::10" : "192.0.2.10";
        var callee = ipv6 ? "2001:db8::20" : "192.0.2.20";
        var flags = new BencodeList { "trust-address" };
        return exchange.Run(call, "offer", new BencodeDictionary
            {
                { "command", "offer" },
                { "call-id", callId },
                { "from-tag", "caller-" + number },
                { "sdp", Sdp(caller, 40000, video) },
                { "replace", new BencodeList { "origin", "session-connection" } },
                { "ICE", "remove" },
                { "flags", flags },
            })
            ?? exchange.Run(call, "answer", new BencodeDictionary
            {
                { "command", "answer" },
                { "call-id", callId },
                { "from-tag", "caller-" + number },
                { "to-tag", "callee-" + number },
                { "sdp", Sdp(callee, 50000, video) },
                { "replace", new BencodeList { "origin", "session-connection" } },
                { "ICE", "remove" },
                { "flags", flags },
            })
            ?? exchange.Run(call, "query", new BencodeDictionary
            {
                { "command", "query" },
                { "call-id", callId },
            })
            ?? exchange.Run(call, "delete", new BencodeDictionary
            {
                { "command", "delete" },
                { "call-id", callId },
                { "from-tag", "caller-" + number },
            });
    }

    /// <summary>One call through MediaProxy's protocol (the INVITE's update, the 200's, the BYE's remove); null when each succeeded.</summary>
    private static string? MediaProxyCall(MediaProxyHandler handler, int call)
    {
        var number = call.ToString(CultureInfo.InvariantCulture);
        var common = "call_id: warm-up-mp-" + number + "\r\nfrom_tag: caller-" + number + "\r\n";
        return MediaProxyExchange(handler, "update", "update\r\ntype: request\r\ndialog_id: " + number + ":1\r\n" + common
                + "cseq: 1\r\nfrom_uri: caller@example.com\r\nto_uri: callee@example.com\r\nuser_agent: warm-up\r\nsignaling_ip: 192.0.2.10\r\n"
                + "media: audio:192.0.2.10:40000:sendrecv:ice=no\r\n\r\n")
            ?? MediaProxyExchange(handler, "update", "update\r\ntype: reply\r\ndialog_id: " + number + ":1\r\n" + common
                + "to_tag: callee-" + number + "\r\ncseq: 1\r\nfrom_uri: caller@example.com\r\nto_uri: callee@example.com\r\nuser_agent: warm-up\r\n"
                + "signaling_ip: 192.0.2.20\r\nmedia: audio:192.0.2.20:50000:sendrecv:ice=no\r\n\r\n")
            ?? MediaProxyExchange(handler, "remove", "remove\r\n" + common + "to_tag: callee-" + number + "\r\n\r\n");
    }

    private static string? MediaProxyExchange(MediaProxyHandler handler, string command, string request)
    {
        var reply = System.Text.Encoding.UTF8.GetString(handler.Handle(System.Text.Encoding.UTF8.GetBytes(request))).TrimEnd();
        return reply == "error" ? "mediaproxy " + command + ": error" : null;
    }

    /// <summary>One call through rtpproxy's protocol as Kamailio's module sends it (U, L, D); null when each succeeded.</summary>
    private static string? RtpproxyCall(RtpproxyHandler handler, int call, bool ipv6)
    {
        var number = call.ToString(CultureInfo.InvariantCulture);
        var callId = " warm-up-rp-" + number + " ";
        var family = ipv6 ? "6" : "";
        var caller = ipv6 ? "2001:db8::10" : "192.0.2.10";
        var callee = ipv6 ? "2001:db8::20" : "192.0.2.20";
        return RtpproxyExchange(handler, "U", "w" + number + "u U" + family + "c0,8,101" + callId + caller + " 40000 caller-" + number + ";1")
            ?? RtpproxyExchange(handler, "L", "w" + number + "l L" + family + "c0,8,101" + callId + callee + " 50000 caller-" + number + ";1 callee-" + number + ";1")
            ?? RtpproxyExchange(handler, "D", "w" + number + "d D" + callId + "caller-" + number + " callee-" + number);
    }

    private static string? RtpproxyExchange(RtpproxyHandler handler, string command, string datagram)
    {
        var reply = System.Text.Encoding.ASCII.GetString(handler.Handle(System.Text.Encoding.ASCII.GetBytes(datagram), hasCookie: true));
        var space = reply.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 || reply.AsSpan(space + 1).StartsWith("E", StringComparison.Ordinal) ? "rtpproxy " + command + ": " + reply.TrimEnd() : null;
    }

    /// <summary>A phone's SDP as phones send it: PCMU, PCMA and DTMF events; with <paramref name="video"/> an H.264 stream too.</summary>
    private static string Sdp(string address, int port, bool video)
    {
        var family = address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4";
        var text = "v=0\r\n"
            + "o=- 1 1 IN " + family + " " + address + "\r\n"
            + "s=-\r\n"
            + "c=IN " + family + " " + address + "\r\n"
            + "t=0 0\r\n"
            + "m=audio " + port.ToString(CultureInfo.InvariantCulture) + " RTP/AVP 0 8 101\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\n"
            + "a=fmtp:101 0-16\r\n"
            + "a=ptime:20\r\n"
            + "a=sendrecv\r\n";
        return video
            ? text + "m=video " + (port + 2).ToString(CultureInfo.InvariantCulture) + " RTP/AVP 96\r\n"
                + "a=rtpmap:96 H264/90000\r\n"
                + "a=sendrecv\r\n"
            : text;
    }
}

/// <summary>
/// The warm-up's ng client: one request at a time over a connected socket, each reply awaited at most
/// 2 s and never past the warm-up's deadline.
/// </summary>
internal sealed class Exchanger(Socket client, long deadline)
{
    /// <summary>What <see cref="Run"/> answers when the warm-up's time is up before a reply came.</summary>
    public const string TimeUp = "time up";

    private static readonly long ReplyTimeout = 2 * Stopwatch.Frequency;

    private readonly byte[] _buffer = new byte[65536];

    /// <summary>Sends one request and reads its reply; null when the reply says <c>ok</c>, else what went wrong.</summary>
    public string? Run(int call, string command, BencodeDictionary request)
    {
        var left = Math.Min(ReplyTimeout, deadline - Stopwatch.GetTimestamp());
        if (left <= 0)
        {
            return TimeUp;
        }

        client.ReceiveTimeout = (int)Math.Max(1, left * 1000 / Stopwatch.Frequency);
        var cookie = System.Text.Encoding.ASCII.GetBytes("w" + call.ToString(CultureInfo.InvariantCulture) + command[0] + " ");
        var body = BencodeWriter.ToArray(request);
        var datagram = new byte[cookie.Length + body.Length];
        cookie.CopyTo(datagram, 0);
        body.CopyTo(datagram, cookie.Length);
        try
        {
            client.Send(datagram);
            var length = client.Receive(_buffer);
            var reply = _buffer.AsSpan(0, length);
            if (!reply.StartsWith(cookie) || !BencodeReader.TryParse(reply[cookie.Length..], out var tree, out var error)
                || tree is not BencodeDictionary dictionary)
            {
                return command + ": a reply that is not this request's";
            }

            var result = dictionary.GetString("result");
            return result == "ok" ? null
                : command + ": " + (result ?? error ?? "no result") + (dictionary.GetString("error-reason") is { } reason ? " (" + reason + ")" : "");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut && Stopwatch.GetTimestamp() >= deadline)
        {
            return TimeUp;
        }
        catch (SocketException e)
        {
            return command + ": " + e.SocketErrorCode;
        }
    }
}

/// <summary>How the warm-up ended.</summary>
internal enum WarmUpEnd
{
    /// <summary>A round left the JIT (nearly) nothing to compile.</summary>
    Settled,

    /// <summary>Its time ran out first.</summary>
    TimeLimit,

    /// <summary>The relay's start was cancelled (a stop during the start).</summary>
    Cancelled,

    /// <summary>A request was refused or something failed: <see cref="WarmUpResult.Failure"/>.</summary>
    Failed,
}

/// <summary>
/// What <see cref="ControlWarmUp.Run"/> did: calls completed, rounds, methods the JIT compiled meanwhile, time taken,
/// how it ended, the protocols and kinds of call it took ("ng, rtpproxy; IPv4 and IPv6; audio and video"), and what
/// failed if anything.
/// </summary>
internal sealed record WarmUpResult(int Calls, int Rounds, long MethodsCompiled, TimeSpan Elapsed, WarmUpEnd End, string Protocols, string? Failure);
