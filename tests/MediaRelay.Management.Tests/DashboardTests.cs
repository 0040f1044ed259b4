using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.Management.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaRelay.Management.Tests;

/// <summary>
/// The dashboard in a real browser: Debian's headless Chromium (chromium-headless-shell, installed by
/// .ci/install-deps.sh) driven by Playwright, against a relay process carrying a live call.
/// </summary>
[Collection(ManagementCollection.Name)]
public sealed class DashboardTests
{
    public const string Chromium = "/usr/bin/chromium-headless-shell";

    [Fact(Timeout = 180_000)]
    public async Task The_dashboard_shows_a_live_call_its_traffic_and_terminates_it()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium-headless-shell (.ci/install-deps.sh)");
        using var relay = await RunningRelay.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1100 } });
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            // The open detail of a call just terminated reads it once more and is told 404: expected, and shown.
            if (message.Type == "error" && !message.Location.Contains("/api/sessions/dashboard-call", StringComparison.Ordinal))
            {
                problems.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Add(error);

        await page.GotoAsync(relay.Management.ToString());
        await page.Locator("#live").GetByText("live").WaitForAsync();
        await page.Locator("#rows").GetByText("no running calls").WaitForAsync();
        Assert.Equal("0", await page.Locator("#pps").TextContentAsync());

        // A live call: it appears through the session_started event, and its media moves the packets/s figure.
        using var call = await MediaCall.StartAsync(relay, "dashboard-call");
        var row = page.Locator("#rows tr[data-call-id='dashboard-call']");
        await row.WaitForAsync(new() { Timeout = 10_000 });
        using var media = new CancellationTokenSource();
        var flowing = Task.Run(() => Stream(call, media.Token));
        await page.WaitForFunctionAsync("() => Number(document.getElementById('pps').textContent.replace(/,/g, '')) > 50", null, new() { Timeout = 15_000 });
        var first = await page.Locator("#pps").TextContentAsync();
        Assert.NotEqual("0", first);
        Assert.Contains("started dashboard-call (audio)", await page.Locator("#events").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("1", await page.Locator("#sessions").TextContentAsync());

        // The detail of the call, and the chart after a few seconds of media.
        await row.ClickAsync();
        await page.Locator("#detail-id").GetByText("dashboard-call").WaitForAsync();
        await page.Locator("#detail-body").GetByText("PCMU").First.WaitForAsync();
        Assert.Contains($"127.0.0.1:{call.CallerFacing}", await page.Locator("#detail-body").TextContentAsync(), StringComparison.Ordinal);
        await page.WaitForTimeoutAsync(4000);
        await row.Locator("td").Nth(4).GetByText("0").WaitForAsync(new() { State = WaitForSelectorState.Detached });

        var directory = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(directory);
        var screenshot = Path.Combine(directory, "dashboard.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");

        // The filter hides the call and brings it back.
        await page.Locator("#filter").FillAsync("nothing-like-it");
        await page.Locator("#rows").GetByText("no call matches the filter").WaitForAsync();
        await page.Locator("#filter").FillAsync("dashboard");
        await row.WaitForAsync();

        // Stopping the media brings packets/s back to 0.
        await media.CancelAsync();
        await flowing;
        await page.WaitForFunctionAsync("() => document.getElementById('pps').textContent === '0'", null, new() { Timeout = 15_000 });

        // Terminate asks first; Cancel keeps the call, Terminate ends it.
        await page.Locator("#terminate").ClickAsync();
        await page.Locator("#confirm-id").GetByText("dashboard-call").WaitForAsync();
        await page.Locator("#confirm-cancel").ClickAsync();
        await page.WaitForTimeoutAsync(500);
        Assert.NotNull(await relay.Ng.QueryAsync("dashboard-call", CancellationToken.None));
        await page.Locator("#terminate").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await page.Locator("#events").GetByText("ended dashboard-call: terminated").WaitForAsync(new() { Timeout = 10_000 });
        await row.WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 10_000 });
        Assert.Null(await relay.Ng.QueryAsync("dashboard-call", CancellationToken.None));
        Assert.Empty(await UdpPorts.BoundInRangeByOnceReusePassed(relay.Process.Id, relay.PortMin, relay.PortMax));
        Assert.Empty(problems);
    }

    /// <summary>RTP both ways, 100 packets a second each, until cancelled.</summary>
    private static void Stream(MediaCall call, CancellationToken cancellation)
    {
        ushort sequence = 0;
        while (!cancellation.IsCancellationRequested)
        {
            sequence++;
            call.Caller.SendTo(UdpPhone.Rtp(sequence, 0x1111), call.CallerFacing);
            call.Callee.SendTo(UdpPhone.Rtp(sequence, 0x2222), call.CalleeFacing);
            Thread.Sleep(10);
        }
    }
}
