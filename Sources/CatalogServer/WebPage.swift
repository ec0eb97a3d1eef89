/// The web page: one HTML document, one script and one style sheet, embedded in the binary so
/// `catalog serve` needs no files and no CDN.
///
/// The page is a shell: every piece of data comes from the same authenticated `/api/v1` routes
/// scripts use, through `fetch` with the session cookie.
enum WebPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>catalog</title>
        <link rel="stylesheet" href="/assets/app.css">
        <script src="/assets/app.js" defer></script>
        </head>
        <body>
        <header>
          <h1>catalog</h1>
          <nav id="tabs" hidden>
            <button type="button" data-view="search" class="active">Search</button>
            <button type="button" data-view="projects">Projects</button>
            <button type="button" data-view="shared" data-needs="/api/v1/shared">Shared definitions</button>
            <button type="button" data-view="drift" data-needs="/api/v1/drift">Drift</button>
            <button type="button" data-view="backups">Backups</button>
          </nav>
          <button type="button" id="sign-out" hidden>Sign out</button>
        </header>
        <main>
          <form id="sign-in" hidden>
            <h2>Sign in</h2>
            <p>Paste the token from the server's token file: its --token-file, or the generated STORE.serve-token file whose path the server logs at start. It is exchanged for a session cookie and not stored by this page.</p>
            <label>Token <input id="token" type="password" autocomplete="current-password" required></label>
            <button type="submit">Sign in</button>
            <p class="error" id="sign-in-error" role="alert"></p>
          </form>

          <section id="view-search" class="view" hidden>
            <form id="search-form">
              <label>Find <select id="search-target"><option value="columns">columns</option><option value="tables">tables</option></select></label>
              <label>named <input id="search-name" placeholder="email" required></label>
              <label>match <select id="search-match">
                <option value="exact">exactly</option><option value="contains">containing</option>
                <option value="prefix">starting with</option><option value="regex">by regular expression</option>
              </select></label>
              <label><input type="checkbox" id="search-ignore-case"> ignore case</label>
              <label>project <select id="search-project"><option value="">all projects</option></select></label>
              <label>tag <select id="search-tag"><option value="">any tag</option></select></label>
              <label><input type="checkbox" id="search-cached"> from the index (no database contacted)</label>
              <button type="submit">Search</button>
            </form>
            <p class="status" id="search-status" role="status"></p>
            <div id="search-results"></div>
          </section>

          <section id="view-projects" class="view" hidden>
            <p><button type="button" id="projects-check">Check every project now</button> <span class="status" id="projects-status" role="status"></span></p>
            <div id="projects-table"></div>
          </section>

          <section id="view-shared" class="view" hidden>
            <p class="status" id="shared-status" role="status"></p>
            <div id="shared-table"></div>
          </section>

          <section id="view-drift" class="view" hidden>
            <p><button type="button" id="drift-check">Check for drift now</button> <span class="status" id="drift-status" role="status"></span></p>
            <div id="drift-table"></div>
          </section>

          <section id="view-backups" class="view" hidden>
            <p class="status" id="backups-status" role="status"></p>
            <div id="backups-table"></div>
          </section>
        </main>
        </body>
        </html>
        """#
}
