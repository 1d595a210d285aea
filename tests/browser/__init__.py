"""Browser tests: Playwright driving the system Chromium against the live server."""
