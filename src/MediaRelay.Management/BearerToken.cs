using System.Security.Cryptography;
using System.Text;
using MediaRelay.Management.Api;
using Microsoft.AspNetCore.Http;

namespace MediaRelay.Management;

/// <summary>
/// With a token configured, every request must prove it: <c>Authorization: Bearer TOKEN</c> (the API, the CLI,
/// Prometheus' <c>authorization</c> setting), or <c>?access_token=TOKEN</c> once in a browser, which sets a
/// same-site, HTTP-only cookie for the dashboard's later requests and its event stream. Compared in constant time.
/// </summary>
public sealed class BearerToken(string token)
{
    public const string CookieName = "mediarelay_token";

    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(header["Bearer ".Length..].Trim()))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (context.Request.Query["access_token"].ToString() is { Length: > 0 } query && Matches(query))
        {
            context.Response.Cookies.Append(CookieName, query, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            await next(context).ConfigureAwait(false);
            return;
        }

        if (context.Request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(cookie))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"mediarelay\"";
        await context.Response.WriteAsJsonAsync(
            new ErrorView("this relay's management API needs its token: send 'Authorization: Bearer TOKEN' (mediarelay CLI: --management-token), or open the dashboard once with ?access_token=TOKEN"),
            ManagementJson.Options).ConfigureAwait(false);
    }

    private bool Matches(string candidate) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}
