using System.Diagnostics;
using System.Globalization;
using System.Net;
using MediaRelay.LoadGen.Ng;
using MediaRelay.Protocols.Bencode;

namespace MediaRelay.LoadGen.Soak;

/// <summary>What the churn does to a call; the soak counts each.</summary>
internal enum SoakAction
{
    ReInvite = 0,
    Hold = 1,
    Resume = 2,
    Move = 3,
    Replace = 4,
}

/// <summary>
/// The signalling of the soak's call slots over ng, as a SIP proxy would send it: a new call is an offer from the
/// caller and an answer from the callee; a re-INVITE is the same pair again with a new SDP version; hold is a
/// re-INVITE with a=sendonly (answered recvonly), after which the held phone stops sending, and resume is one with
/// a=sendrecv; a move is a re-INVITE from the caller announcing its other socket, from which it sends once the
/// answer is in; a replace stops both phones, deletes the call and sets up a new one (new Call-ID) in the slot.
/// One action per slot at a time (the slot's flag); any number of slots at once.
/// </summary>
internal sealed class SoakChurn(SoakEngine engine, NgClient ng, IPAddress mediaAddress, string runTag)
{
    private readonly int[] _generation = new int[engine.Sides.Length / 2];
    private readonly int[] _version = new int[engine.Sides.Length / 2];
    private readonly bool[] _held = new bool[engine.Sides.Length / 2];
    private readonly int[] _busy = new int[engine.Sides.Length / 2];
    private readonly long[] _done = new long[5];
    private readonly long[] _failed = new long[5];
    private long _ngCommands;
    private long _ngSlow;

    public int Slots => _generation.Length;

    public string? FirstError { get; private set; }

    public long Done(SoakAction action) => Interlocked.Read(ref _done[(int)action]);

    public long Failed(SoakAction action) => Interlocked.Read(ref _failed[(int)action]);

    public long FailedTotal => _failed.Sum();

    public long DoneTotal => _done.Sum();

    public long NgCommands => Interlocked.Read(ref _ngCommands);

    /// <summary>Commands that took longer than 100 ms from first send to reply.</summary>
    public long NgSlow => Interlocked.Read(ref _ngSlow);

    public bool IsHeld(int slot) => Volatile.Read(ref _held[slot]);

    /// <summary>Sets up the slot's first call and starts both phones.</summary>
    public Task<bool> StartAsync(int slot) => RunExclusiveAsync(slot, SoakAction.Replace, () => SetupAsync(slot), count: false);

    /// <summary>Runs one action on a slot unless another is running there; false when skipped or failed.</summary>
    public Task<bool> RunAsync(int slot, SoakAction action) => action switch
    {
        SoakAction.ReInvite => RunExclusiveAsync(slot, action, () => ReInviteAsync(slot, move: false, direction: IsHeld(slot) ? "sendonly" : "sendrecv")),
        SoakAction.Hold => RunExclusiveAsync(slot, action, () => HoldAsync(slot, hold: true)),
        SoakAction.Resume => RunExclusiveAsync(slot, action, () => HoldAsync(slot, hold: false)),
        SoakAction.Move => RunExclusiveAsync(slot, action, () => ReInviteAsync(slot, move: true, direction: IsHeld(slot) ? "sendonly" : "sendrecv")),
        _ => RunExclusiveAsync(slot, action, () => ReplaceAsync(slot)),
    };

    /// <summary>Stops both phones and deletes the slot's call (end of the run).</summary>
    public Task<bool> EndAsync(int slot) => RunExclusiveAsync(slot, SoakAction.Replace, async () =>
    {
        await QuietAsync(slot);
        return await DeleteAsync(slot);
    }, count: false);

    private async Task<bool> RunExclusiveAsync(int slot, SoakAction action, Func<Task<bool>> body, bool count = true)
    {
        if (Interlocked.CompareExchange(ref _busy[slot], 1, 0) != 0)
        {
            return false;
        }

        try
        {
            var ok = await body();
            if (count)
            {
                Interlocked.Increment(ref (ok ? ref _done[(int)action] : ref _failed[(int)action]));
            }

            return ok;
        }
        finally
        {
            Volatile.Write(ref _busy[slot], 0);
        }
    }

    private async Task<bool> SetupAsync(int slot)
    {
        _version[slot] = 1;
        _held[slot] = false;
        if (!await OfferAnswerAsync(slot, "sendrecv", "sendrecv"))
        {
            return false;
        }

        engine.Caller(slot).Sending = true;
        engine.Callee(slot).Sending = true;
        return true;
    }

    private async Task<bool> ReInviteAsync(int slot, bool move, string direction)
    {
        var caller = engine.Caller(slot);
        _version[slot]++;
        var ok = await OfferAnswerAsync(slot, direction, direction == "sendonly" ? "recvonly" : "sendrecv", callerSocket: move ? 1 - caller.Current : caller.Current);
        if (ok && move)
        {
            caller.SwitchSocket();
        }

        return ok;
    }

    private async Task<bool> HoldAsync(int slot, bool hold)
    {
        if (IsHeld(slot) == hold)
        {
            return true;
        }

        _version[slot]++;
        if (!await OfferAnswerAsync(slot, hold ? "sendonly" : "sendrecv", hold ? "recvonly" : "sendrecv"))
        {
            return false;
        }

        // The held phone (the callee: it was sent a=sendonly) stops sending; on resume it starts again.
        Volatile.Write(ref _held[slot], hold);
        engine.Callee(slot).Sending = !hold;
        return true;
    }

    private async Task<bool> ReplaceAsync(int slot)
    {
        await QuietAsync(slot);
        var deleted = await DeleteAsync(slot);
        _generation[slot]++;
        return await SetupAsync(slot) && deleted;
    }

    /// <summary>Stops both phones and waits for their last packets to arrive, so a call's end loses nothing.</summary>
    private async Task QuietAsync(int slot)
    {
        engine.Caller(slot).Sending = false;
        engine.Callee(slot).Sending = false;
        await Task.Delay(100);
    }

    private async Task<bool> OfferAnswerAsync(int slot, string offerDirection, string answerDirection, int? callerSocket = null)
    {
        var caller = engine.Caller(slot);
        var callee = engine.Callee(slot);
        var offer = await SendAsync(slot, "offer", SdpText.BuildAudio(mediaAddress, caller.Port(callerSocket ?? caller.Current), SessionId(slot, 0), _version[slot], offerDirection));
        if (!offer.Ok || offer.Sdp is not { } offerSdp || !SdpText.TryParseAudioEndpoint(offerSdp, out var forCallee) || forCallee is null)
        {
            return Fail(slot, "offer", offer);
        }

        var answer = await SendAsync(slot, "answer", SdpText.BuildAudio(mediaAddress, callee.Port(callee.Current), SessionId(slot, 1), _version[slot], answerDirection));
        if (!answer.Ok || answer.Sdp is not { } answerSdp || !SdpText.TryParseAudioEndpoint(answerSdp, out var forCaller) || forCaller is null)
        {
            return Fail(slot, "answer", answer);
        }

        caller.SendTo(forCaller);
        callee.SendTo(forCallee);
        return true;
    }

    private async Task<bool> DeleteAsync(int slot)
    {
        var reply = await SendAsync(slot, "delete", null);
        return reply.Ok || Fail(slot, "delete", reply);
    }

    private async Task<NgResult> SendAsync(int slot, string command, string? sdp)
    {
        var message = new BencodeDictionary
        {
            { "command", command },
            { "call-id", CallId(slot) },
            { "from-tag", "ft-" + slot.ToString(CultureInfo.InvariantCulture) },
        };
        if (command == "answer")
        {
            message.Add("to-tag", "tt-" + slot.ToString(CultureInfo.InvariantCulture));
        }

        if (sdp is not null)
        {
            message.Add("sdp", sdp);
            message.Add("replace", new BencodeList { "origin", "session-connection" });
            message.Add("ICE", "remove");
        }

        var result = await ng.SendAsync(message);
        Interlocked.Increment(ref _ngCommands);
        if (result.ElapsedTicks > Stopwatch.Frequency / 10)
        {
            Interlocked.Increment(ref _ngSlow);
        }

        return result;
    }

    private string CallId(int slot) =>
        runTag + "-" + slot.ToString(CultureInfo.InvariantCulture) + "-" + _generation[slot].ToString(CultureInfo.InvariantCulture);

    private long SessionId(int slot, int side) => (((long)slot * 2) + side) * 1_000_000L + _generation[slot];

    private bool Fail(int slot, string what, NgResult result)
    {
        FirstError ??= "slot " + slot.ToString(CultureInfo.InvariantCulture) + ": " + what + " failed: " + (result.Error ?? "reply without usable SDP");
        return false;
    }
}
