using System.CommandLine;
using MediaRelay.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace MediaRelay.Host.Cli;

/// <summary>
/// Where the CLI verbs find the relay: <c>--management URL</c>, else the listener the relay's configuration names
/// (the same file, <c>MEDIARELAY_</c> variables and defaults `mediarelay run` reads), and its token.
/// </summary>
internal sealed class ManagementTarget
{
    private readonly Option<string?> _url = new("--management", "-m")
    {
        Description = "The relay's management listener, e.g. http://127.0.0.1:9900. Default: ManagementListen from the configuration (127.0.0.1:9900).",
    };

    private readonly Option<string?> _token = new("--management-token")
    {
        Description = "The management bearer token. Default: ManagementToken from the configuration, else none.",
    };

    private readonly Option<FileInfo?> _config = new("--config", "-c")
    {
        Description = $"The relay's JSON configuration file, read for its management listener and token. Default: {RunCommand.DefaultConfigPath} when it exists.",
    };

    /// <summary>Adds the options to a verb.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_url);
        command.Options.Add(_token);
        command.Options.Add(_config);
    }

    /// <summary>A client for the relay the options (or the configuration) name.</summary>
    public ManagementClient Connect(ParseResult result)
    {
        var configuration = new ConfigurationBuilder();
        var path = result.GetValue(_config)?.FullName ?? (File.Exists(RunCommand.DefaultConfigPath) ? RunCommand.DefaultConfigPath : null);
        if (path is not null)
        {
            if (!File.Exists(path))
            {
                throw new CliException($"configuration file {path} does not exist; give the relay's file with --config, or its listener with --management URL");
            }

            configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        configuration.AddEnvironmentVariables("MEDIARELAY_");
        var settings = configuration.Build().GetSection("MediaRelay");
        var listen = settings[nameof(MediaRelaySettings.ManagementListen)] ?? MediaRelaySettings.DefaultManagementListen;
        var text = result.GetValue(_url);
        if (text is null && string.IsNullOrWhiteSpace(listen))
        {
            throw new CliException($"the relay's configuration{(path is null ? "" : " (" + path + ")")} turns the management listener off (ManagementListen is empty); turn it on, or give --management URL");
        }

        text ??= "http://" + listen.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri))
        {
            throw new CliException($"--management '{text}' is not a URL: give one such as http://127.0.0.1:9900");
        }

        var token = result.GetValue(_token) ?? settings[nameof(MediaRelaySettings.ManagementToken)];
        return new ManagementClient(uri, string.IsNullOrWhiteSpace(token) ? null : token.Trim());
    }
}
