using Microsoft.Playwright;

namespace CoffeeMesh.Tests.Dashboard;

/// <summary>
/// Headless Chromium from Debian's package (scripts/infra.sh installs it), driven by Playwright.
/// Playwright downloads no browser here; a missing Chromium fails the test that needs it, naming
/// what to install, rather than skipping it.
/// </summary>
public static class Chromium
{
    /// <summary>COFFEEMESH_CHROMIUM, or /usr/bin/chromium.</summary>
    public static string Path => Environment.GetEnvironmentVariable("COFFEEMESH_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    /// <summary>A headless browser (dispose both: the browser, then Playwright).</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(Path))
            Assert.Fail($"Chromium is not installed at {Path}: the dashboard's browser tests need it. Install it with `apt-get install -y chromium` " +
                        "(scripts/infra.sh up, which ./coffeemesh test runs, installs it), or set COFFEEMESH_CHROMIUM to a Chromium binary.");
        var playwright = await Playwright.CreateAsync();
        // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Path, Headless = true, Args = ["--no-sandbox"] });
        return (playwright, browser);
    }
}
