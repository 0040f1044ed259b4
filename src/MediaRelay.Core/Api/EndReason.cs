namespace MediaRelay.Core.Api;

/// <summary>Why a session or stream ended. The text forms are the ones MediaProxy accounting used.</summary>
public enum EndReason
{
    /// <summary>Still running.</summary>
    None,
    /// <summary>Removed by signalling (BYE, CANCEL): "closed".</summary>
    Closed,
    /// <summary>Port 0 in an answer: "rejected".</summary>
    Rejected,
    /// <summary>No media in either direction for stream_timeout: "no-traffic timeout".</summary>
    NoTrafficTimeout,
    /// <summary>On hold and silent for on_hold_timeout: "on hold timeout".</summary>
    OnHoldTimeout,
    /// <summary>Both parties offered ICE and no media ever crossed the relay: "unselected ICE candidate".</summary>
    UnselectedIceCandidate,
    /// <summary>The kernel forwarding backend reported the flow idle: "kernel timeout".</summary>
    KernelTimeout,
    /// <summary>The relay is stopping.</summary>
    Shutdown,
    /// <summary>Ended by an operator through the management API: "terminated".</summary>
    Terminated,
}

public static class EndReasonText
{
    public static string ToText(this EndReason reason) => reason switch
    {
        EndReason.None => "active",
        EndReason.Closed => "closed",
        EndReason.Rejected => "rejected",
        EndReason.NoTrafficTimeout => "no-traffic timeout",
        EndReason.OnHoldTimeout => "on hold timeout",
        EndReason.UnselectedIceCandidate => "unselected ICE candidate",
        EndReason.KernelTimeout => "kernel timeout",
        EndReason.Shutdown => "shutdown",
        EndReason.Terminated => "terminated",
        _ => "unknown",
    };
}
