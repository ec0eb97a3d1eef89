#!/usr/bin/env python3
"""The web page in a real browser (issue 8): headless Chromium driven by Selenium.

Starts a throwaway cluster with the three sample projects and `catalog serve` with a token,
then, as a person would: opens the page (sign-in form, no data), signs in with the token,
searches columns named `email`, checks that the rows shown are exactly the API's answer, sorts
by a column, opens the projects view, opens a project's page and a relation's, edits a label in
place (and checks it after a reload and in the project database), clones a project, archives the
clone and brings it back from the page's lifecycle panels (each shows the plan before it acts), and signs out. Screenshots of each step are saved (the
search one is the artifact to look at), and the session cookie is checked to be HttpOnly and
SameSite=Strict, invisible to the page's own script.

Needs: apt-get install -y chromium chromium-driver; pip install selenium (the script offers a
virtual environment under ~/.cache/catalog-checks). Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from serve_fleet import REPO, TOKEN, BenchError, Cluster, Server, log, sample_fleet  # noqa: E402

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    sys.exit("selenium is missing: python3 -m venv ~/.cache/catalog-checks && ~/.cache/catalog-checks/bin/pip install selenium, "
             "then run this script with ~/.cache/catalog-checks/bin/python")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--disable-gpu"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, condition: bool, what: str) -> None:
        log(("ok    " if condition else "FAILED ") + what)
        if not condition:
            self.failed.append(what)


def table_rows(driver, container: str) -> list[list[str]]:
    rows = driver.find_elements(By.CSS_SELECTOR, f"#{container} tbody tr")
    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=REPO / ".build-serve/debug/catalog", help="the catalog binary")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "catalog-browser-check", help="where screenshots go")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    checks = Checks()
    root = Path(tempfile.mkdtemp(prefix="catalog-browser-"))
    root.chmod(0o755)
    cluster = Cluster(root)
    server = None
    driver = None
    try:
        cluster.start()
        store = root / "store.sqlite"
        sample_fleet(cluster, args.catalog, store)
        server = Server(args.catalog, store, root, [])
        status, expected = server.get("/api/v1/search/columns?name=email")
        want = sorted([m["project"], m["schema"] or "", m["table"], m["column"]] for m in expected["matches"])
        log(f"serving {server.base}; the API finds {len(want)} columns named email")

        driver = browser()
        # The pages redraw their tables after each answer: an element read mid-redraw is simply read again.
        wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
        driver.get(server.base + "/")
        wait.until(ready.visibility_of_element_located((By.ID, "sign-in")))
        checks.expect(not driver.find_element(By.ID, "tabs").is_displayed(), "before sign-in only the sign-in form shows")
        driver.save_screenshot(str(args.out / "1-sign-in.png"))

        driver.find_element(By.ID, "token").send_keys("not-the-token")
        driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
        wait.until(lambda d: d.find_element(By.ID, "sign-in-error").text != "")
        checks.expect("not right" in driver.find_element(By.ID, "sign-in-error").text, "a wrong token is refused with a message")

        token_field = driver.find_element(By.ID, "token")
        token_field.clear()
        token_field.send_keys(TOKEN)
        driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
        wait.until(ready.visibility_of_element_located((By.ID, "search-form")))
        checks.expect(not driver.find_element(By.ID, "sign-in").is_displayed(), "after sign-in the form is gone")
        cookies = {c["name"]: c for c in driver.get_cookies()}
        session = cookies.get("catalog_session", {})
        checks.expect(session.get("httpOnly") is True and session.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict")
        checks.expect("catalog_session" not in driver.execute_script("return document.cookie"), "the page's script cannot read the cookie")
        checks.expect(TOKEN not in driver.page_source, "the token is not left in the page")

        driver.find_element(By.ID, "search-name").send_keys("email")
        driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
        wait.until(lambda d: "match(es)" in d.find_element(By.ID, "search-status").text)
        rows = table_rows(driver, "search-results")
        got = sorted([r[0], r[1], r[2], r[3]] for r in rows)
        checks.expect(got == want, f"the page shows the API's {len(want)} rows (project, schema, table, column)")
        checks.expect({r[0] for r in rows} == {"saas", "shop", "crm"}, "rows come from all three projects")
        headers = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#search-results thead th")]
        checks.expect(headers[:7] == ["Project", "Schema", "Table", "Column", "Type", "Kind", "Label"], f"the columns are {headers}")

        driver.find_element(By.XPATH, "//div[@id='search-results']//th[3]/button").click()
        tables = [r[2] for r in table_rows(driver, "search-results")]
        checks.expect(tables == sorted(tables), "clicking Table sorts by table")
        driver.find_element(By.XPATH, "//div[@id='search-results']//th[3]/button").click()
        tables = [r[2] for r in table_rows(driver, "search-results")]
        checks.expect(tables == sorted(tables, reverse=True), "clicking again sorts the other way")
        driver.find_element(By.XPATH, "//div[@id='search-results']//th[1]/button").click()
        driver.save_screenshot(str(args.out / "2-search-email.png"))

        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-view=projects]").click()
        wait.until(lambda d: len(table_rows(d, "projects-table")) == 3)
        projects = table_rows(driver, "projects-table")
        checks.expect(sorted(r[0] for r in projects) == ["crm", "saas", "shop"], "the projects view lists the three projects")
        checks.expect(all(r[3] == "yes" for r in projects), "each project is shown reachable")
        driver.save_screenshot(str(args.out / "3-projects.png"))

        # Project pages (issue 20): project -> relations -> columns, a label edited in place and saved on
        # Enter, an invalid GraphQL name refused inline, and the label still there after a reload and in
        # the project database.
        driver.find_element(By.LINK_TEXT, "saas").click()
        wait.until(lambda d: any(r[1] == "users" for r in table_rows(d, "project-table")))
        relations = table_rows(driver, "project-table")
        checks.expect(any(r[1] == "active_users" and r[2] == "view" for r in relations), "the project page lists saas's relations with their kind")
        driver.find_element(By.XPATH, "//div[@id='project-table']//a[text()='users']").click()
        wait.until(lambda d: any(r[0] == "email" for r in table_rows(d, "project-table")))
        email_row = "//div[@id='project-table']//tr[td[1][text()='email']]"
        label = driver.find_element(By.XPATH, email_row + "//input[@data-field='label']")
        label.clear()
        label.send_keys("Email address\n")
        # The save redraws the table from a fresh read: the old input goes, a new one shows the label.
        wait.until(ready.staleness_of(label))
        wait.until(lambda d: d.find_element(By.XPATH, email_row + "//input[@data-field='label']").get_attribute("value") == "Email address")
        stored = cluster.sql("saas_db", "SELECT c.label FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id "
                                        "WHERE t.table_name = 'users' AND c.pg_column = 'email';").strip()
        checks.expect(stored == "Email address", f"Enter saves the label into the project database ({stored!r})")
        field = driver.find_element(By.XPATH, email_row + "//input[@data-field='graphql_field']")
        field.send_keys("not valid\n")
        wait.until(lambda d: d.find_element(By.XPATH, email_row + "//input[@data-field='graphql_field']/../span[@role='alert']").text != "")
        error = driver.find_element(By.XPATH, email_row + "//input[@data-field='graphql_field']/../span[@role='alert']").text
        checks.expect("not a valid GraphQL name" in error, f"an invalid GraphQL name is refused inline: {error!r}")
        driver.save_screenshot(str(args.out / "3b-relation.png"))
        driver.refresh()
        wait.until(lambda d: any(r[0] == "email" for r in table_rows(d, "project-table")))
        after = driver.find_element(By.XPATH, email_row + "//input[@data-field='label']").get_attribute("value")
        checks.expect(after == "Email address", f"after a reload the relation page shows the new label ({after!r})")
        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-view=search]").click()
        driver.find_element(By.ID, "search-name").clear()
        driver.find_element(By.ID, "search-name").send_keys("email")
        driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
        wait.until(lambda d: "match(es)" in d.find_element(By.ID, "search-status").text)
        hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results td a")]
        checks.expect(any(h.endswith("#relation/saas/public/users") for h in hrefs), "a search result links to its relation's page")
        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-view=projects]").click()
        wait.until(lambda d: len(table_rows(d, "projects-table")) == 3)

        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-view=shared]").click()
        wait.until(lambda d: len(table_rows(d, "shared-table")) == 1)
        shared = table_rows(driver, "shared-table")[0]
        checks.expect(shared[0] == "users" and shared[3] == "saas, shop" and shared[4] == "saas, shop",
                      f"the shared view shows users attached to saas and shop, both behind: {shared}")

        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-view=drift]").click()
        driver.find_element(By.ID, "drift-check").click()
        wait.until(lambda d: d.find_element(By.ID, "drift-status").text.endswith("drifted") or d.find_element(By.ID, "drift-status").text == "No drift.")
        drift = table_rows(driver, "drift-table")
        status, expected_drift = server.get("/api/v1/drift")
        checks.expect(len(drift) == len(expected_drift["items"]), f"the drift view shows the API's {len(expected_drift['items'])} item(s)")
        driver.save_screenshot(str(args.out / "4-drift.png"))

        # Project lifecycle (issue 17): each panel shows the plan's steps before "Carry it out" acts.
        def panel(action: str):
            return driver.find_element(By.CSS_SELECTOR, f"details.lifecycle[data-action={action}]")

        def plan_then_act(action: str, fill=None) -> list[str]:
            box = panel(action)
            if box.tag_name == "details" and not box.get_attribute("open"):
                box.find_element(By.TAG_NAME, "summary").click()
            if fill:
                fill(box)
            box.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait.until(lambda d: panel(action).find_elements(By.CSS_SELECTOR, "ol.plan li"))
            steps = [li.text for li in panel(action).find_elements(By.CSS_SELECTOR, "ol.plan li")]
            checks.expect(panel(action).find_element(By.CSS_SELECTOR, "button.confirm").is_displayed(),
                          f"{action}: the plan ({len(steps)} steps) shows before anything is done")
            panel(action).find_element(By.CSS_SELECTOR, "button.confirm").click()
            return steps

        driver.get(server.base + "/#project/saas")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "details.lifecycle[data-action=clone]"))
        steps = plan_then_act("clone", lambda box: box.find_element(By.NAME, "name").send_keys("saas_copy"))
        checks.expect(any(s.startswith("path: ") for s in steps), "the clone's plan says which path it takes")
        wait.until(lambda d: d.current_url.endswith("#project/saas_copy"))
        checks.expect(server.get("/api/v1/projects/saas_copy")[0] == 200, "Carry it out cloned saas into saas_copy")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "details.lifecycle[data-action=archive]"))
        steps = plan_then_act("archive")
        checks.expect(any(s.startswith("DROP DATABASE \"saas_copy_db\"") for s in steps), "the archive's plan names the database it drops")
        wait.until(lambda d: any(r and r[0] == "saas_copy" for r in table_rows(d, "archived-table")))
        checks.expect(any(a["name"] == "saas_copy" for a in server.get("/api/v1/archived")[1]["archived"]),
                      "Carry it out archived saas_copy; the projects view lists it under archived projects")
        driver.save_screenshot(str(args.out / "5-archived.png"))
        driver.find_element(By.XPATH, "//div[@id='archived-table']//tr[td[1][text()='saas_copy']]//button").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "details.lifecycle[data-action=unarchive]"))
        plan_then_act("unarchive")
        wait.until(lambda d: any(r and r[0] == "saas_copy" for r in table_rows(d, "projects-table")))
        checks.expect(not server.get("/api/v1/archived")[1]["archived"], "Carry it out brought saas_copy back")

        driver.find_element(By.ID, "sign-out").click()
        wait.until(ready.visibility_of_element_located((By.ID, "sign-in")))
        checks.expect(not driver.find_element(By.ID, "search-form").is_displayed(), "after sign-out the search is gone")
        checks.expect(server.request("GET", "/api/v1/projects", auth=False)[0] == 401, "after sign-out the API asks for a credential again")
        log(f"screenshots in {args.out}")
    finally:
        if driver:
            driver.quit()
        if server:
            server.stop()
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    if checks.failed:
        log(f"{len(checks.failed)} check(s) failed")
        return 1
    log("every check passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        sys.exit(f"browser-check: {error}")
