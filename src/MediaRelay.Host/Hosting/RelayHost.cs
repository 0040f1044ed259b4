using System.Net;
using MediaRelay.Control.Ng;
using MediaRelay.Core.Api;
using MediaRelay.Core.Forwarding;
using MediaRelay.Core.Model;
using MediaRelay.Host.Configuration;
using MediaRelay.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MediaRelay.Host.Hosting;

/// <summary>Builds and runs the generic host: configuration, logging, the session model, transport and control.</summary>
internal static class RelayHost
{
    public static async Task<int> RunAsync(string? configPath, Dictionary<string, string?> overrides, CancellationToken token)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        });
        if (configPath is not null)
        {
            if (!File.Exists(configPath))
            {
                await Console.Error.WriteLineAsync($"mediarelay: configuration file {configPath} does not exist; give an existing file with --config, or none for built-in defaults").ConfigureAwait(false);
                return 2;
            }

            try
            {
                builder.Configuration.AddJsonFile(configPath, optional: false, reloadOnChange: false);
            }
            catch (InvalidDataException e)
            {
                await Console.Error.WriteLineAsync($"mediarelay: configuration error: {configPath}{JsonErrorPlace(e)} (the file is not valid JSON; fix it, or give another file with --config)").ConfigureAwait(false);
                return 2;
            }
        }

        builder.Configuration.AddEnvironmentVariables("MEDIARELAY_");
        builder.Configuration.AddInMemoryCollection(overrides);

        var settings = new MediaRelaySettings();
        try
        {
            builder.Configuration.GetSection("MediaRelay").Bind(settings);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"mediarelay: configuration error: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (!SettingsValidator.TryBuild(settings, out var relayOptions, out var control, out var errors))
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"mediarelay: configuration error: {error}").ConfigureAwait(false);
            }

            return 2;
        }

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        if (LogFormat.Resolve(settings.LogFormat) == LogFormat.Systemd)
        {
            // "<6>MediaRelay.Host.Hosting.RelayService[200] media on ...": the journal stamps the time itself and takes
            // the priority from the prefix; an exception stays on the line.
            builder.Logging.AddSystemdConsole(o => o.UseUtcTimestamp = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        // The console logger writes from a queue and, when the host is disposed, gives that queue 1.5 s to drain and
        // drops the rest: with the default 2,500 entries a slow reader of stdout (a busy journald) lost the sessions'
        // end lines. 256 drain in time at 200 lines/s; a longer burst waits for the reader instead of being lost.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.MaxQueueLength = 256);
        // The stop ends every session and frees every port; a deadline would cut it short and lose the sessions' end.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(relayOptions);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
        {
            // The instance number that keeps several relays on one host apart in the kernel: the first ng port.
            var pathOptions = SettingsValidator.PacketPath(settings, relayOptions, control.Ng[0].Port);
            try
            {
                return PacketPaths.Create(pathOptions, sp.GetRequiredService<ILoggerFactory>());
            }
            catch (PacketPathException e)
            {
                throw new RelayStartException(e.Message, e);
            }
        });
        builder.Services.AddSingleton(sp => sp.GetRequiredService<PacketPath>().Transport);
        builder.Services.AddSingleton(sp => new KernelQueue(sp.GetRequiredService<PacketPath>().Kernel, TimeProvider.System,
            TimeSpan.FromSeconds(1), sp.GetRequiredService<ILogger<KernelQueue>>()));
        builder.Services.AddSingleton(sp => new SessionManager(
            relayOptions,
            sp.GetRequiredService<IPacketTransport>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SessionManager>>(),
            sp.GetRequiredService<KernelQueue>()));
        builder.Services.AddSingleton(new NgOptions
        {
            ListenEndPoints = control.Ng,
            DeleteDelay = TimeSpan.FromSeconds(settings.DeleteDelay),
            ReplyCacheBytes = settings.NgReplyCacheBytes,
        });
        builder.Services.AddSingleton(sp => NgCommands.CreateDispatcher(
            sp.GetRequiredService<SessionManager>(),
            sp.GetRequiredService<NgOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(sp => new NgServer(
            sp.GetRequiredService<NgOptions>(),
            sp.GetRequiredService<NgDispatcher>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NgServer>>()));
        builder.Services.AddSingleton(control);
        builder.Services.AddSingleton(sp => new ExtraControlServers(control, sp.GetRequiredService<SessionManager>(), relayOptions,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(sp => new ManagementListener(control, sp.GetRequiredService<SessionManager>(), relayOptions,
            sp.GetRequiredService<PacketPath>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        // Before the relay: attached before the first call, and stopped after the shutdown has ended every session.
        builder.Services.AddSingleton(SettingsValidator.Accounting(settings));
        builder.Services.AddHostedService<AccountingService>();
        builder.Services.AddHostedService<RelayService>();
        builder.Services.AddSingleton<ISessionApi>(sp => sp.GetRequiredService<SessionManager>());
        builder.Services.AddHostedService<NativeHeapTrim>();
        builder.Services.AddSingleton(new DrainOptions { Timeout = TimeSpan.FromSeconds(settings.DrainTimeout) });
        builder.Services.AddSingleton(_ => new SystemdNotify());
        builder.Services.AddSingleton<SystemdNotifyService>();
        builder.Services.AddSingleton<DrainService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DrainService>());
        // Last: READY=1 once everything above has started (see SystemdNotifyService).
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SystemdNotifyService>());

        using var host = builder.Build();
        if (configPath is not null)
        {
            HostLog.ConfigFile(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MediaRelay.Host"), configPath);
        }

        try
        {
            await host.RunAsync(token).ConfigureAwait(false);
        }
        catch (RelayStartException e)
        {
            await Console.Error.WriteLineAsync($"mediarelay: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }

        return 0;
    }

    /// <summary>" line L: what the parser said", from the JSON reader's exception inside the configuration's.</summary>
    private static string JsonErrorPlace(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Text.Json.JsonException json)
            {
                var message = json.Message;
                var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                var what = (cut > 0 ? message[..cut] : message).Trim();
                return json.LineNumber is { } line ? $" line {line + 1}: {what}" : $": {what}";
            }
        }

        return ": " + e.Message;
    }
}
