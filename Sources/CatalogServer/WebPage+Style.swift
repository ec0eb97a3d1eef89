extension WebPage {
    /// The page's look: readable defaults, a light and a dark scheme, tables that scroll sideways.
    static let style = #"""
        :root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --line: #d1d5db; --bad: #b91c1c; }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
        header { display: flex; align-items: center; gap: 1.5rem; padding: 0.6rem 1.2rem; border-bottom: 1px solid var(--line); }
        h1 { font-size: 1.2rem; margin: 0; }
        nav { display: flex; gap: 0.3rem; flex-wrap: wrap; }
        nav button, #sign-out { border: 1px solid transparent; background: none; padding: 0.35rem 0.7rem; border-radius: 6px; cursor: pointer; font: inherit; color: inherit; }
        nav button.active { border-color: var(--accent); color: var(--accent); }
        #sign-out { margin-left: auto; border-color: var(--line); }
        main { padding: 1rem 1.2rem; }
        form#sign-in { max-width: 28rem; margin: 3rem auto; display: grid; gap: 0.6rem; }
        form#sign-in input { width: 100%; padding: 0.45rem; font: inherit; }
        #search-form { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: center; margin-bottom: 0.6rem; }
        input, select, button { font: inherit; }
        button[type=submit], #projects-check, #drift-check { background: var(--accent); color: white; border: 0; border-radius: 6px; padding: 0.4rem 0.9rem; cursor: pointer; }
        #search-results, #projects-table, #shared-table, #drift-table, #backups-table { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; margin-top: 0.4rem; }
        th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th button { all: unset; cursor: pointer; font-weight: 600; }
        th[aria-sort=ascending] button::after { content: " ▲"; }
        th[aria-sort=descending] button::after { content: " ▼"; }
        tbody tr:hover { background: color-mix(in srgb, var(--accent) 8%, transparent); }
        .status, .note, .empty { color: var(--muted); }
        .error, .failures { color: var(--bad); }
        h3 { font-size: 1rem; margin: 1rem 0 0.3rem; }
        """#
}
