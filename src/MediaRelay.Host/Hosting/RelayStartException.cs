namespace MediaRelay.Host.Hosting;

/// <summary>The relay could not start (a listener could not bind); the message says what to change.</summary>
internal sealed class RelayStartException(string message, Exception? inner = null) : Exception(message, inner);
