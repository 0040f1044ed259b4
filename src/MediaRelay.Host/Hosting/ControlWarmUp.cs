using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Model;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.Host.Hosting;

/// <summary>
/// Runs the control path before ng listens, so that the first real calls do not wait for the JIT: a private ng server
/// on a loopback port of its own, over a private session manager on the relay's packet path, takes calls as a proxy
/// sends them (offer, answer, query, delete; audio alone and audio with video; IPv4 and, when the relay has an
/// IPv6 address, IPv6), then everything is closed. The relay's own sessions, statistics, accounting and logs never
/// see these calls: nothing of them is shared but the code and the packet path, and the ports they took are closed
/// before the relay's session manager takes any.
/// Each call takes two pairs of ports per stream and gives them back at its delete (a range of fewer than four pairs
/// gets no video).
/// </summary>
internal static class ControlWarmUp
{
    /// <summary>How long one request may wait for its reply before the warm-up gives up (the relay then starts as it is).</summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Calls per round: enough for the runtime to count the hot methods' calls and compile them again, optimised.</summary>
    private const int CallsPerRound = 40;

    /// <summary>A round after which the JIT compiled fewer methods than this ends the warm-up: the path is compiled.</summary>
    private const int SettledMethods = 8;

    /// <summary>
    /// Takes calls through the ng path in rounds until a round leaves the JIT with (nearly) nothing more to compile,
    /// or <paramref name="budget"/> has passed. Returns what it did; never throws for a failed request (the relay
    /// starts anyway: a warm-up is an optimisation, not a condition).
    /// </summary>
    public static WarmUpResult Run(RelayOptions options, IPacketTransport transport, NgOptions ng, TimeSpan budget)
    {
        var started = Stopwatch.GetTimestamp();
        var methodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var done = 0;
        var rounds = 0;
        string? failure = null;
        using (var manager = new SessionManager(options, transport))
        {
            var dispatcher = NgCommands.CreateDispatcher(manager, new NgOptions
            {
                ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
                DeleteDelay = TimeSpan.Zero,
                Workers = ng.Workers,
                ReplyCacheBytes = ng.ReplyCacheBytes,
            });
            var server = new NgServer(new NgOptions { ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], Workers = ng.Workers }, dispatcher);
            server.Start();
            try
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                client.Connect(server.LocalEndPoints[0]);
                client.ReceiveTimeout = (int)ReplyTimeout.TotalMilliseconds;
                var buffer = new byte[65536];
                // A call takes a pair for each side of each stream: video only where the range has four pairs.
                var video = options.PortMax - (options.PortMin + (options.PortMin & 1)) + 1 >= 8;
                while (failure is null && Stopwatch.GetElapsedTime(started) < budget)
                {
                    var before = System.Runtime.JitInfo.GetCompiledMethodCount();
                    for (var i = 0; i < CallsPerRound && failure is null; i++, done++)
                    {
                        failure = OneCall(client, buffer, done, video && done % 2 == 1, options.RelayAddressV6 is not null && done % 4 == 3);
                    }

                    rounds++;
                    // The runtime counts calls only once no new method has been compiled for 100 ms, and compiles
                    // the hot ones again on a thread of its own: give it that time before judging the round.
                    Thread.Sleep(150);
                    if (System.Runtime.JitInfo.GetCompiledMethodCount() - before < SettledMethods)
                    {
                        break;
                    }
                }
            }
            finally
            {
                server.StopAsync().GetAwaiter().GetResult();
            }
        }

        return new WarmUpResult(done - (failure is null ? 0 : 1), rounds, System.Runtime.JitInfo.GetCompiledMethodCount() - methodsBefore,
            Stopwatch.GetElapsedTime(started), failure);
    }

    /// <summary>One call, as a proxy drives it; null when every request got a successful reply, else what failed.</summary>
    private static string? OneCall(Socket client, byte[] buffer, int call, bool video, bool ipv6)
    {
        var number = call.ToString(CultureInfo.InvariantCulture);
        var callId = "warm-up-" + number;
        var caller = ipv6 ? "2001:db8::10" : "192.0.2.10";
        var callee = ipv6 ? "2001:db8::20" : "192.0.2.20";
        var flags = new BencodeList { "trust-address" };
        return Exchange(client, buffer, call, "offer", new BencodeDictionary
            {
                { "command", "offer" },
                { "call-id", callId },
                { "from-tag", "caller-" + number },
                { "sdp", Sdp(caller, 40000, video) },
                { "replace", new BencodeList { "origin", "session-connection" } },
                { "ICE", "remove" },
                { "flags", flags },
            })
            ?? Exchange(client, buffer, call, "answer", new BencodeDictionary
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
            ?? Exchange(client, buffer, call, "query", new BencodeDictionary
            {
                { "command", "query" },
                { "call-id", callId },
            })
            ?? Exchange(client, buffer, call, "delete", new BencodeDictionary
            {
                { "command", "delete" },
                { "call-id", callId },
                { "from-tag", "caller-" + number },
            });
    }

    /// <summary>Sends one request and reads its reply; null when the reply says <c>ok</c>.</summary>
    private static string? Exchange(Socket client, byte[] buffer, int call, string command, BencodeDictionary request)
    {
        var cookie = "w" + call.ToString(CultureInfo.InvariantCulture) + command[0] + " ";
        var body = BencodeWriter.ToArray(request);
        var datagram = new byte[cookie.Length + body.Length];
        System.Text.Encoding.ASCII.GetBytes(cookie, datagram);
        body.CopyTo(datagram, cookie.Length);
        try
        {
            client.Send(datagram);
            var length = client.Receive(buffer);
            var space = Array.IndexOf(buffer, (byte)' ', 0, length);
            if (space < 0 || !BencodeReader.TryParse(buffer.AsSpan(space + 1, length - space - 1), out var reply, out var error))
            {
                return command + ": unreadable reply";
            }

            var result = (reply as BencodeDictionary)?.GetString("result");
            return result == "ok" ? null : command + ": " + (result ?? error ?? "no result") + " "
                + ((reply as BencodeDictionary)?.GetString("error-reason") ?? "");
        }
        catch (SocketException e)
        {
            return command + ": " + e.SocketErrorCode;
        }
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

/// <summary>What <see cref="ControlWarmUp.Run"/> did: calls completed, rounds, methods the JIT compiled meanwhile, time taken, and what failed if anything.</summary>
internal sealed record WarmUpResult(int Calls, int Rounds, long MethodsCompiled, TimeSpan Elapsed, string? Failure);
