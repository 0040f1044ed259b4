namespace MediaRelay.Host.Hosting;

/// <summary>
/// The relay could not start; the message says what to change. <see cref="ExitCode"/> is 2 for a setting that cannot
/// work here (a listen address in use, a socket path not writable), 1 for what the environment refused (permissions).
/// </summary>
internal sealed class RelayStartException(string message, Exception? inner = null, int exitCode = 1) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
