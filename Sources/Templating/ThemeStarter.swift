import Foundation

/// The documented starter folder `sitegen theme new` writes for a reseller's designer.
public enum ThemeStarter {
    public static func files(name: String) -> [String: String] {
        [
            "theme.yml": """
                # Theme "\(name)" for sitegen. It extends the built-in default theme: set only what
                # you want to change; everything else comes from the theme named in `extends`.
                # Check it with: sitegen theme check <this folder>
                extends: default

                # The name shown in the page header and the browser title.
                display_name: \(name)

                # Paths under assets/ of this folder (or of the theme it extends). SVG or PNG.
                logo: assets/logo.svg
                # logo_dark: assets/logo-white.svg   # for dark headers
                favicon: assets/logo.svg

                # Hex colors. Text on background and surface, and primary (links, buttons with
                # white text) must reach a WCAG 2.2 AA contrast of 4.5:1; `theme check` measures it.
                colors:
                  primary: "#1f4e8c"
                  accent: "#0f7b6c"
                  # background: "#f6f7f9"
                  # surface: "#ffffff"
                  # text: "#1c2430"
                  # success: "#1d7a3a"
                  # warning: "#9a5b00"
                  # danger: "#b3261e"

                # A font stack of installed fonts (nothing is loaded from another host), and the
                # corner radius of cards and buttons.
                # font: "Georgia, 'Times New Roman', serif"
                # radius: 4px

                # contact:
                #   email: support@example.com
                #   url: https://www.example.com/support

                # Markdown, shown in every page's footer.
                footer: |
                  Prepared for you by **\(name)**.
                # legal: "© \(name)"

                # The address the reseller's site is published at: canonical links, sitemap.xml,
                # CNAME. sitegen.yml's base_url for the reseller wins over this one.
                # base_url: https://reports.example.com/
                """,
            "assets/logo.svg": """
                <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40">
                  <rect x="4" y="4" width="32" height="32" rx="8" fill="#1f4e8c"/>
                  <path d="M12 20 L18 26 L28 14" fill="none" stroke="#ffffff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>

                """,
            "assets/custom.css": """
                /* Added after the default stylesheet. The brand colors are CSS custom properties:
                   var(--color-primary), --color-accent, --color-background, --color-surface,
                   --color-text, --color-success, --color-warning, --color-danger, --font-body,
                   --radius. Fonts and images go in assets/ and are referenced relatively, e.g.
                   url(fonts/brand.woff2); nothing may be loaded from another host. */
                .site-header { border-bottom: 3px solid var(--color-accent); }

                """,
            "locales/en.yml": """
                # Words of the pages, merged key by key over the default theme's locales/en.yml.
                landing:
                  title: Email authentication reports

                """,
            "locales/ja.yml": """
                # 日本語の表示文言。default テーマの locales/ja.yml にキーごとに上書きされます。
                landing:
                  title: メール認証レポート

                """,
            "content/intro.md": """
                Welcome to your monthly **email authentication reports** from \(name).

                They show how the mail sent in your organisation's name is authenticated, which
                services send it, and what receiving servers did with mail that failed.

                """,
            "README.md": """
                # Theme "\(name)"

                - `theme.yml`: brand tokens (name, logo, colors, font, footer); see the comments.
                - `assets/`: logo, favicon, `custom.css` (appended to the default stylesheet), fonts.
                - `templates/*.mustache`, `partials/*.mustache`: copy a file from the default theme
                  (`Themes/default/`) to the same path here to change it. To change one block of a
                  page without copying it, start the file with `{{<base-month}}` and override only
                  that block: `{{<base-month}}{{$content}}…{{/content}}{{/base-month}}`.
                - `content/*.md`: Markdown texts (`intro.md`, `what-is-dmarc.md`; `name.ja.md` for Japanese).
                - `locales/en.yml`, `locales/ja.yml`: the words of the pages.

                Print values with `{{name}}` (escaped). `{{{…}}}` is only for `page.intro`,
                `page.body`, `chrome.footer` and `chrome.legal`, which sitegen renders as HTML itself.
                Run `sitegen theme check <folder>` after every change.

                """,
        ]
    }

    /// Writes the starter into `folder`, which must not exist yet.
    public static func write(name: String, to folder: URL) throws {
        guard !FileManager.default.fileExists(atPath: folder.path) else {
            throw ThemeError(file: folder.path, reason: "already exists; choose another name or folder")
        }
        for (path, text) in files(name: name).sorted(by: { $0.key < $1.key }) {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }
}
