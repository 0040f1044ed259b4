using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRelay.Management.Dashboard;

/// <summary>
/// The live dashboard at <c>/</c>: a page, its script and its style sheet, embedded in this assembly (no files beside
/// the binary, nothing from a CDN). The page reads <c>/api/*</c> and the <c>/api/events</c> stream.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly (string Route, string Resource, string ContentType)[] s_files =
    [
        ("/", "dashboard/index.html", "text/html; charset=utf-8"),
        ("/dashboard.js", "dashboard/dashboard.js", "text/javascript; charset=utf-8"),
        ("/dashboard.css", "dashboard/dashboard.css", "text/css; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder routes)
    {
        foreach (var (route, resource, contentType) in s_files)
        {
            var bytes = Read(resource);
            routes.MapGet(route, () => TypedResults.Bytes(bytes, contentType));
        }
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the dashboard file {resource} is not embedded in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
