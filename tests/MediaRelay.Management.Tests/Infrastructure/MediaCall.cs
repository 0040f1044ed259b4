using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Ng;

namespace MediaRelay.Management.Tests.Infrastructure;

/// <summary>One call set up over ng (offer from tag "a", answer from "b") between two UDP phones on 127.0.0.1, and its RTP.</summary>
internal sealed class MediaCall : IDisposable
{
    private ushort _sequence;

    private MediaCall(string callId, UdpPhone caller, UdpPhone callee, int callerFacing, int calleeFacing)
    {
        CallId = callId;
        Caller = caller;
        Callee = callee;
        CallerFacing = callerFacing;
        CalleeFacing = calleeFacing;
    }

    public string CallId { get; }

    public UdpPhone Caller { get; }

    public UdpPhone Callee { get; }

    /// <summary>The relay's RTP port the caller sends to.</summary>
    public int CallerFacing { get; }

    /// <summary>The relay's RTP port the callee sends to.</summary>
    public int CalleeFacing { get; }

    public static async Task<MediaCall> StartAsync(RunningRelay relay, string callId)
    {
        var caller = new UdpPhone();
        var callee = new UdpPhone();
        var (callerFacing, calleeFacing) = await NgCalls.CallAsync(relay.Ng, callId, caller, callee);
        return new MediaCall(callId, caller, callee, callerFacing, calleeFacing);
    }

    /// <summary>Sends <paramref name="fromCaller"/> RTP packets one way and <paramref name="fromCallee"/> the other, 1 ms apart; returns what each phone received.</summary>
    public (int AtCallee, int AtCaller) Exchange(int fromCaller, int fromCallee)
    {
        for (var i = 0; i < Math.Max(fromCaller, fromCallee); i++)
        {
            _sequence++;
            if (i < fromCaller)
            {
                Caller.SendTo(UdpPhone.Rtp(_sequence, 0x1111), CallerFacing);
            }

            if (i < fromCallee)
            {
                Callee.SendTo(UdpPhone.Rtp(_sequence, 0x2222), CalleeFacing);
            }

            Thread.Sleep(1);
        }

        return (Callee.Drain(TimeSpan.FromMilliseconds(300)).Count, Caller.Drain(TimeSpan.FromMilliseconds(300)).Count);
    }

    public void Dispose()
    {
        Caller.Dispose();
        Callee.Dispose();
    }
}
