using System.Net.Http.Headers;
using Google.Apis.Auth.OAuth2;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// Adds <c>Authorization: Bearer</c> from Application Default Credentials, scoped to BigQuery, to every request
/// (the credential caches and refreshes the token). Nothing is added when <see cref="BigQueryOptions.CredentialsNeeded"/>
/// is false: a local stand-in needs none and ADC may not exist there.
/// </summary>
internal sealed class GoogleAccessTokenHandler(BigQueryOptions options) : DelegatingHandler
{
    public const string Scope = "https://www.googleapis.com/auth/bigquery";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITokenAccess? _credential;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (options.CredentialsNeeded)
        {
            var credential = await CredentialAsync(ct);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await credential.GetAccessTokenForRequestAsync(cancellationToken: ct));
        }
        return await base.SendAsync(request, ct);
    }

    /// <summary>Found once; a failure (no ADC yet) is not cached, so the next request looks again.</summary>
    private async Task<ITokenAccess> CredentialAsync(CancellationToken ct)
    {
        if (_credential is { } known) return known;
        await _gate.WaitAsync(ct);
        try
        {
            return _credential ??= (await GoogleCredential.GetApplicationDefaultAsync(ct)).CreateScoped(Scope);
        }
        finally { _gate.Release(); }
    }
}
