"use strict";

const $ = (id) => document.getElementById(id);
const views = {};
let available = new Set();

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const init = { credentials: "same-origin", headers: { "Accept": "application/json" }, ...options };
  if (options.json !== undefined) {
    init.method = init.method || "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, init);
  if (response.status === 401) { showSignIn(); throw new Unauthorized("signed out"); }
  if (response.status === 204) { return null; }
  const body = await response.json();
  if (!response.ok) { throw new Error(body.error ? body.error.message : response.statusText); }
  return body;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  if (className) { node.className = className; }
  return node;
}

function age(seconds) {
  if (seconds === null || seconds === undefined) { return "never"; }
  if (seconds < 60) { return seconds + " s ago"; }
  if (seconds < 3600) { return Math.floor(seconds / 60) + " min ago"; }
  if (seconds < 86400) { return Math.floor(seconds / 3600) + " h ago"; }
  return Math.floor(seconds / 86400) + " d ago";
}

function since(timestamp) {
  return timestamp ? age(Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000))) : "never";
}

// A table whose column headers sort it; `columns` are {key, label, value?, text?}.
function sortableTable(container, columns, rows, emptyText) {
  container.replaceChildren();
  if (rows.length === 0) { container.append(element("p", emptyText, "empty")); return; }
  let sortKey = null;
  let ascending = true;
  const table = element("table");
  const head = element("thead");
  const headRow = element("tr");
  const body = element("tbody");
  const valueOf = (column, row) => column.value ? column.value(row) : row[column.key];
  const draw = () => {
    const sorted = rows.slice();
    if (sortKey) {
      const column = columns.find((c) => c.key === sortKey);
      sorted.sort((a, b) => {
        const x = valueOf(column, a), y = valueOf(column, b);
        const order = x === y ? 0 : x === null || x === undefined ? 1 : y === null || y === undefined ? -1
          : typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
    }
    body.replaceChildren(...sorted.map((row) => {
      const tr = element("tr");
      for (const column of columns) {
        if (column.cell) {
          const td = element("td");
          td.append(column.cell(row));
          tr.append(td);
          continue;
        }
        const shown = column.text ? column.text(row) : valueOf(column, row);
        const cell = element("td", column.node ? undefined : shown === null || shown === undefined ? "" : shown);
        if (column.node) { cell.append(...column.node(row)); }
        tr.append(cell);
      }
      return tr;
    }));
    for (const th of headRow.children) {
      th.setAttribute("aria-sort", th.dataset.key === sortKey ? (ascending ? "ascending" : "descending") : "none");
    }
  };
  for (const column of columns) {
    const th = element("th");
    const button = element("button", column.label);
    button.type = "button";
    th.dataset.key = column.key;
    button.addEventListener("click", () => {
      ascending = sortKey === column.key ? !ascending : true;
      sortKey = column.key;
      draw();
    });
    th.append(button);
    headRow.append(th);
  }
  head.append(headRow);
  table.append(head, body);
  container.append(table);
  draw();
}

function failureList(container, failures) {
  if (!failures || failures.length === 0) { return; }
  const list = element("ul", null, "failures");
  for (const failure of failures) {
    list.append(element("li", failure.project + ": " + failure.status.replace("_", " ") + " — " + failure.error));
  }
  container.append(element("h3", failures.length + " project(s) did not answer"), list);
}

function showSignIn() {
  $("sign-in").hidden = false;
  $("tabs").hidden = true;
  $("sign-out").hidden = true;
  for (const view of document.querySelectorAll(".view")) { view.hidden = true; }
  $("token").focus();
}

function showView(name) {
  for (const button of $("tabs").querySelectorAll("button")) {
    button.classList.toggle("active", button.dataset.view === name);
  }
  for (const view of document.querySelectorAll(".view")) { view.hidden = view.id !== "view-" + name; }
  if (views[name]) { views[name](); }
}

async function start() {
  let projects;
  try {
    projects = (await api("/api/v1/projects")).projects;
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("sign-in-error").textContent = error.message; showSignIn(); }
    return;
  }
  const spec = await (await fetch("/openapi.json")).json();
  available = new Set(Object.keys(spec.paths));
  for (const button of $("tabs").querySelectorAll("button")) {
    button.hidden = Boolean(button.dataset.needs) && !available.has(button.dataset.needs);
  }
  fillFilters(projects);
  $("sign-in").hidden = true;
  $("tabs").hidden = false;
  $("sign-out").hidden = false;
  if (!route()) {
    showView("search");
    $("search-name").focus();
  }
}

function fillFilters(projects) {
  const projectSelect = $("search-project");
  const tagSelect = $("search-tag");
  projectSelect.replaceChildren(element("option", "all projects"));
  projectSelect.firstChild.value = "";
  for (const project of projects) {
    const option = element("option", project.name);
    option.value = project.name;
    projectSelect.append(option);
  }
  tagSelect.replaceChildren(element("option", "any tag"));
  tagSelect.firstChild.value = "";
  for (const tag of [...new Set(projects.flatMap((p) => p.tags))].sort()) {
    const option = element("option", tag);
    option.value = tag;
    tagSelect.append(option);
  }
}

async function search(event) {
  event.preventDefault();
  const target = $("search-target").value;
  const query = new URLSearchParams({ name: $("search-name").value, match: $("search-match").value });
  if ($("search-ignore-case").checked) { query.set("ignore_case", "true"); }
  if ($("search-cached").checked) { query.set("cached", "true"); }
  if ($("search-project").value) { query.set("project", $("search-project").value); }
  if ($("search-tag").value) { query.set("tag", $("search-tag").value); }
  const results = $("search-results");
  $("search-status").textContent = "Searching…";
  results.replaceChildren();
  try {
    const started = performance.now();
    const answer = await api("/api/v1/search/" + target + "?" + query.toString().replace(/\+/g, "%20"));
    const milliseconds = Math.round(performance.now() - started);
    $("search-status").textContent = answer.matches.length + " match(es) in " + answer.sources.length
      + " project(s), " + milliseconds + " ms" + (answer.failures.length ? "; the answer is partial" : "");
    const columns = target === "columns"
      ? [{ key: "project", label: "Project" }, { key: "schema", label: "Schema" }, { key: "table", label: "Table" },
         { key: "column", label: "Column" }, { key: "type", label: "Type" }, { key: "kind", label: "Kind" },
         { key: "label", label: "Label" }]
      : [{ key: "project", label: "Project" }, { key: "schema", label: "Schema" }, { key: "table", label: "Table" },
         { key: "kind", label: "Kind" }, { key: "label", label: "Label" }, { key: "graphql_type", label: "GraphQL type" }];
    const table = columns.find((c) => c.key === "table");
    table.cell = (m) => link(m.table, "#relation/" + [m.project, m.schema || "public", m.table].map(encodeURIComponent).join("/"));
    sortableTable(results, columns, answer.matches, "Nothing matches.");
    failureList(results, answer.failures);
    if ($("search-cached").checked) {
      const ages = answer.sources.map((s) => s.project + " " + age(s.age_seconds)).join(", ");
      if (ages) { results.append(element("p", "From the index: " + ages + ".", "note")); }
    }
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("search-status").textContent = error.message; }
  }
}

// Download links for `catalog generate`: the same bytes as the CLI.
function generateLinks(project) {
  return ["graphql", "typescript", "jsonschema", "openapi"].map((format) => {
    const link = element("a", format, "generate");
    link.href = "/api/v1/projects/" + encodeURIComponent(project.name) + "/generate/" + format;
    link.download = "";
    return link;
  });
}

views.projects = async (check = false) => {
  $("projects-status").textContent = check ? "Connecting to every project…" : "";
  try {
    const answer = await api("/api/v1/projects" + (check ? "?check=true" : ""));
    $("projects-status").textContent = answer.projects.length + " project(s)";
    fillFilters(answer.projects);
    sortableTable($("projects-table"), [
      { key: "name", label: "Project", cell: (p) => link(p.name, "#project/" + encodeURIComponent(p.name)) },
      { key: "server", label: "Server" },
      { key: "tags", label: "Tags", text: (p) => p.tags.join(", ") },
      { key: "reachable", label: "Reachable?" },
      { key: "metadata_version", label: "_metadata version" },
      { key: "index_age_seconds", label: "Index freshness", text: (p) => age(p.index_age_seconds) },
      { key: "last_backup_at", label: "Last backup", text: (p) => since(p.last_backup_at) },
      { key: "last_checked_at", label: "Last checked", text: (p) => since(p.last_checked_at) },
      { key: "status_message", label: "Problem" },
      { key: "generate", label: "Generate", node: generateLinks },
    ], answer.projects, "No projects are registered yet; add one with 'catalog project add'.");
    await archivedProjects();
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("projects-status").textContent = error.message; }
  }
};

views.shared = async () => {
  try {
    const answer = await api("/api/v1/shared");
    const behind = answer.definitions.filter((d) => d.behind.length > 0).length;
    $("shared-status").textContent = answer.definitions.length + " shared definition(s)"
      + (behind ? "; " + behind + " with projects behind" : "");
    sortableTable($("shared-table"), [
      { key: "name", label: "Definition" }, { key: "version", label: "Version" }, { key: "table", label: "Table" },
      { key: "attached", label: "Attached projects", text: (d) => d.attached.join(", ") },
      { key: "behind", label: "Behind", text: (d) => d.behind.length ? d.behind.join(", ") : "none" },
    ], answer.definitions, "No shared definitions yet; add one with 'catalog shared add'.");
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("shared-status").textContent = error.message; }
  }
};

views.drift = async (check = false) => {
  if (!check) { return; }
  $("drift-status").textContent = "Comparing every project with its tables…";
  try {
    const answer = await api("/api/v1/drift");
    const drifted = new Set(answer.items.filter((i) => i.kind !== "local_override").map((i) => i.project));
    $("drift-status").textContent = answer.drift ? drifted.size + " project(s) drifted" : "No drift.";
    sortableTable($("drift-table"), [
      { key: "project", label: "Project" }, { key: "layer", label: "Layer" }, { key: "kind", label: "Kind" },
      { key: "object", label: "Object" }, { key: "detail", label: "Detail" },
    ], answer.items, "Every project's _metadata matches its tables and shared definitions.");
    failureList($("drift-table"), answer.failures);
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("drift-status").textContent = error.message; }
  }
};

views.backups = async () => {
  try {
    const answer = await api("/api/v1/backups");
    $("backups-status").textContent = answer.backups.length + " backup(s)"
      + (answer.stale.length ? "; no backup in 24 h: " + answer.stale.map((s) => s.project).join(", ") : "");
    sortableTable($("backups-table"), [
      { key: "id", label: "ID" }, { key: "project", label: "Project" },
      { key: "created_at", label: "Taken", text: (b) => since(b.created_at) },
      { key: "size_bytes", label: "Size (bytes)" }, { key: "verified", label: "Verified" }, { key: "file", label: "File" },
    ], answer.backups, "No backups yet.");
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("backups-status").textContent = error.message; }
  }
};

views.operations = async () => {
  try {
    const answer = await api("/api/v1/operations");
    $("operations-status").textContent = (answer.runs_schedules ? "This server runs the schedules. " : "Another server (or none) runs the schedules. ")
      + answer.incidents.length + " open incident(s).";
    sortableTable($("operations-board"), [
      { key: "project", label: "Project" },
      { key: "last_backup_at", label: "Last backup", text: (p) => since(p.last_backup_at) },
      { key: "size_bytes", label: "Size (bytes)" },
      { key: "state", label: "State", text: (p) => p.mark + " " + p.state + (p.note ? ": " + p.note : "") },
    ], answer.projects, "No projects registered.");
    sortableTable($("operations-incidents"), [
      { key: "kind", label: "Kind" }, { key: "project", label: "Project" }, { key: "schedule", label: "Schedule" },
      { key: "what", label: "What" }, { key: "opened_at", label: "Opened", text: (i) => since(i.opened_at) },
    ], answer.incidents, "No open incidents.");
    sortableTable($("operations-schedules"), [
      { key: "name", label: "Name" }, { key: "kind", label: "Kind" }, { key: "projects", label: "Projects" },
      { key: "timing", label: "When" }, { key: "next_run_at", label: "Next run" }, { key: "last_outcome", label: "Last outcome" },
    ], answer.schedules, "No schedules; add one with 'catalog schedule add'.");
    sortableTable($("operations-runs"), [
      { key: "schedule", label: "Schedule" }, { key: "started_at", label: "Started", text: (r) => since(r.started_at) },
      { key: "outcome", label: "Outcome" }, { key: "bytes", label: "Bytes" },
      { key: "failed", label: "Failed projects", value: (r) => r.projects.filter((p) => p.outcome !== "ok").map((p) => p.project).join(", ") },
    ], answer.runs, "No runs yet.");
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("operations-status").textContent = error.message; }
  }
};

// Consistency: catalog lint's findings from the index (cheap, so read when the view opens), grouped by rule; a click on a finding shows its projects.
views.lint = async () => {
  $("lint-status").textContent = "Reading the index…";
  try {
    const answer = await api("/api/v1/lint");
    const s = answer.summary;
    $("lint-status").textContent = answer.findings.length + " finding(s): " + s.error + " error, " + s.warning + " warning, "
      + s.info + " info, from the index of " + answer.projects.filter((p) => p.in_index).length + " project(s)";
    const container = $("lint-findings");
    container.replaceChildren();
    if (answer.findings.length === 0) { container.append(element("p", "The projects agree.")); }
    const byRule = new Map();
    for (const finding of answer.findings) {
      if (!byRule.has(finding.rule)) { byRule.set(finding.rule, []); }
      byRule.get(finding.rule).push(finding);
    }
    for (const [rule, findings] of byRule) {
      container.append(element("h3", rule + " (" + findings.length + ")"));
      for (const finding of findings) {
        const details = element("details", null, "lint-finding " + finding.severity);
        const name = [finding.table, finding.column].filter((part) => part).join(".") || finding.projects[0] || "config";
        details.append(element("summary", finding.severity + " " + name + ": " + finding.message));
        details.append(element("p", finding.projects.length + " project(s): " + finding.projects.join(", ")));
        const list = element("ul");
        for (const line of finding.details) { list.append(element("li", line)); }
        details.append(list);
        details.append(element("p", "fingerprint " + finding.fingerprint, "fingerprint"));
        container.append(details);
      }
    }
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("lint-status").textContent = error.message; }
  }
};

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    try {
      await api("/api/v1/session", { json: { token: $("token").value } });
      $("token").value = "";
      await start();
    } catch (error) {
      $("sign-in-error").textContent = error instanceof Unauthorized ? "That token is not right." : error.message;
    }
  });
  $("sign-out").addEventListener("click", async () => {
    await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin" });
    showSignIn();
  });
  for (const button of $("tabs").querySelectorAll("button")) {
    button.addEventListener("click", () => showView(button.dataset.view));
  }
  $("search-form").addEventListener("submit", search);
  $("project-back").addEventListener("click", () => { location.hash = ""; showView("projects"); });
  window.addEventListener("hashchange", route);
  $("projects-check").addEventListener("click", () => views.projects(true));
  $("drift-check").addEventListener("click", () => views.drift(true));
  $("lint-check").addEventListener("click", () => views.lint());
  start();
});

// Project pages: a project's relations, then one relation's columns, with the human fields edited
// in place (saved on Enter, an error shown beside the field, the table read again after a save).
// The address (#project/NAME, #relation/NAME/SCHEMA/TABLE) survives a reload.

function link(text, href) {
  const anchor = element("a", text);
  anchor.href = href;
  return anchor;
}

function route() {
  const [kind, ...parts] = location.hash.replace(/^#/, "").split("/").map(decodeURIComponent);
  if (kind === "project" && parts.length === 1) { openProject(parts[0]); return true; }
  if (kind === "relation" && parts.length === 3) { openRelation(parts[0], parts[1], parts[2]); return true; }
  return false;
}

function showProjectPage(title) {
  for (const button of $("tabs").querySelectorAll("button")) { button.classList.toggle("active", button.dataset.view === "projects"); }
  for (const view of document.querySelectorAll(".view")) { view.hidden = view.id !== "view-project"; }
  $("project-title").textContent = title;
  $("project-fields").replaceChildren();
  $("project-actions").replaceChildren();
}

async function openProject(name) {
  showProjectPage(name);
  $("project-actions").replaceChildren(...projectActions(name));
  $("project-status").textContent = "Reading " + name + "…";
  try {
    const answer = await api("/api/v1/projects/" + encodeURIComponent(name) + "/relations");
    $("project-status").textContent = answer.relations.length + " relation(s)";
    sortableTable($("project-table"), [
      { key: "schema", label: "Schema" },
      { key: "table", label: "Relation", cell: (r) => link(r.table, "#relation/" + [name, r.schema, r.table].map(encodeURIComponent).join("/")) },
      { key: "kind", label: "Kind" }, { key: "columns", label: "Columns" }, { key: "label", label: "Label" },
      { key: "shared_name", label: "Shared definition" },
    ], answer.relations, "No relations in _metadata yet; run 'catalog metadata scan " + name + "'.");
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("project-status").textContent = error.message; }
  }
}

// An input that saves one field with PATCH on Enter; empty text unsets the field.
function editable(value, path, field, refresh) {
  const wrapper = element("span", null, "editable");
  const input = element("input");
  input.value = value === null || value === undefined ? "" : (typeof value === "object" ? JSON.stringify(value) : value);
  input.dataset.field = field;
  input.setAttribute("aria-label", field);
  const error = element("span", null, "error");
  error.setAttribute("role", "alert");
  input.addEventListener("keydown", async (event) => {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    error.textContent = "";
    const text = input.value.trim();
    try {
      await api(path, { method: "PATCH", json: { [field]: text === "" ? null : text } });
      await refresh();
    } catch (failure) {
      if (!(failure instanceof Unauthorized)) { error.textContent = failure.message; }
    }
  });
  wrapper.append(input, error);
  return wrapper;
}

async function openRelation(project, schema, table) {
  showProjectPage(project + " — " + schema + "." + table);
  const base = "/api/v1/projects/" + encodeURIComponent(project) + "/relations/" + encodeURIComponent(schema) + "/" + encodeURIComponent(table);
  const refresh = () => openRelation(project, schema, table);
  $("project-status").textContent = "Reading " + schema + "." + table + "…";
  try {
    const relation = await api(base);
    $("project-status").replaceChildren(link(project, "#project/" + encodeURIComponent(project)),
      element("span", " · " + (relation.kind || "relation") + ", " + relation.columns.length + " column(s)"
        + (relation.shared_name ? "; shared definition " + relation.shared_name + " (edits here are local overrides)" : "")));
    const fields = element("dl", null, "fields");
    for (const [field, label] of [["label", "Label"], ["description", "Description"], ["graphql_type", "GraphQL type"]]) {
      const value = element("dd");
      value.append(editable(relation[field], base, field, refresh));
      fields.append(element("dt", label), value);
    }
    $("project-fields").replaceChildren(fields);
    const columnPath = (c) => base + "/columns/" + encodeURIComponent(c.name);
    sortableTable($("project-table"), [
      { key: "name", label: "Column" }, { key: "type", label: "Type" },
      { key: "nullable", label: "Nullable", text: (c) => c.nullable === null ? "" : (c.nullable ? "yes" : "no") },
      { key: "label", label: "Label", cell: (c) => editable(c.label, columnPath(c), "label", refresh) },
      { key: "description", label: "Description", cell: (c) => editable(c.description, columnPath(c), "description", refresh) },
      { key: "graphql_field", label: "GraphQL field", cell: (c) => editable(c.graphql_field, columnPath(c), "graphql_field", refresh) },
      { key: "validation_rules", label: "Validation rules", value: (c) => c.validation_rules ? JSON.stringify(c.validation_rules) : null,
        cell: (c) => editable(c.validation_rules, columnPath(c), "validation_rules", refresh) },
    ], relation.columns, "No columns in _metadata.");
  } catch (error) {
    if (!(error instanceof Unauthorized)) { $("project-status").textContent = error.message; }
  }
}

// Project lifecycle: clone, rename and archive on a project's page, unarchive under the projects list.
// Each panel asks the server for the plan first and shows its steps; only "Carry it out" acts (archive
// sends the hash of the plan that was shown, so a plan that moved since is refused). Changing a field
// after the plan was shown withdraws it.

function lifecyclePanel(action, title, fields, plan, act, done) {
  const panel = element("details", null, "lifecycle");
  panel.dataset.action = action;
  panel.append(element("summary", title));
  const form = element("form");
  for (const field of fields) { form.append(field); }
  const show = element("button", "Show the plan");
  show.type = "submit";
  const steps = element("ol", null, "plan");
  const confirm = element("button", "Carry it out", "confirm");
  confirm.type = "button";
  confirm.hidden = true;
  const status = element("p", null, "status");
  status.setAttribute("role", "status");
  form.append(show, steps, confirm, status);
  panel.append(form);
  let reviewed = null;
  const withdraw = () => { reviewed = null; steps.replaceChildren(); confirm.hidden = true; };
  form.addEventListener("input", () => { withdraw(); status.textContent = ""; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    withdraw();
    status.textContent = "Planning…";
    try {
      reviewed = await plan();
      steps.replaceChildren(...reviewed.steps.map((step) => element("li", step)));
      status.textContent = "Review these " + reviewed.steps.length + " steps; nothing has changed yet.";
      confirm.hidden = false;
    } catch (error) {
      if (!(error instanceof Unauthorized)) { status.textContent = error.message; }
    }
  });
  confirm.addEventListener("click", async () => {
    if (!reviewed) { return; }
    confirm.disabled = true;
    status.textContent = "Working…";
    try {
      const answer = await act(reviewed);
      withdraw();
      status.textContent = "Done.";
      await done(answer);
    } catch (error) {
      if (!(error instanceof Unauthorized)) { status.textContent = error.message; }
    } finally {
      confirm.disabled = false;
    }
  });
  return panel;
}

function labeled(label, input) {
  const wrapper = element("label", label + " ");
  wrapper.append(input);
  return wrapper;
}

function field(name, type = "text") {
  const input = element("input");
  input.type = type;
  input.name = name;
  if (type === "text") { input.required = name !== "server"; }
  return input;
}

function projectActions(name) {
  const path = "/api/v1/projects/" + encodeURIComponent(name);
  const open = (project) => { location.hash = "#project/" + encodeURIComponent(project.name); };

  const cloneName = field("name"), snapshot = field("snapshot", "checkbox"), schemaOnly = field("schema_only", "checkbox");
  const cloneBody = () => ({ name: cloneName.value.trim(), snapshot: snapshot.checked, schema_only: schemaOnly.checked });
  const clone = lifecyclePanel("clone", "Clone…",
    [labeled("New project", cloneName), labeled("from one snapshot", snapshot), labeled("schema only", schemaOnly)],
    () => api(path + "/clone", { json: { ...cloneBody(), plan_only: true } }),
    () => api(path + "/clone", { json: cloneBody() }), open);

  const newName = field("name"), database = field("database", "checkbox"), terminate = field("terminate_connections", "checkbox");
  const renameBody = () => ({ name: newName.value.trim(), database: database.checked, terminate_connections: terminate.checked });
  const rename = lifecyclePanel("rename", "Rename…",
    [labeled("New name", newName), labeled("also rename the database", database), labeled("end other sessions on it", terminate)],
    () => api(path + "/rename", { json: { ...renameBody(), plan_only: true } }),
    () => api(path + "/rename", { json: renameBody() }), (answer) => open(answer.project));

  const archive = lifecyclePanel("archive", "Archive…", [element("p", "A verified backup, then the database is dropped.", "note")],
    () => api(path + "/archive", { json: {} }),
    (reviewed) => api(path + "/archive", { json: { plan: reviewed.hash } }),
    () => { location.hash = ""; showView("projects"); });
  return [clone, rename, archive];
}

async function archivedProjects() {
  const answer = await api("/api/v1/archived");
  $("archived-action").replaceChildren();
  const unarchive = (project) => {
    const button = element("button", "Unarchive…");
    button.type = "button";
    button.addEventListener("click", () => {
      const path = "/api/v1/projects/" + encodeURIComponent(project.name) + "/unarchive";
      const server = field("server");
      server.placeholder = "the server it was on";
      const body = () => (server.value.trim() ? { server: server.value.trim() } : {});
      const panel = lifecyclePanel("unarchive", "Unarchive " + project.name, [labeled("Server (optional)", server)],
        () => api(path, { json: { ...body(), plan_only: true } }),
        () => api(path, { json: body() }), () => views.projects());
      panel.open = true;
      $("archived-action").replaceChildren(panel);
    });
    return button;
  };
  sortableTable($("archived-table"), [
    { key: "name", label: "Project" }, { key: "database", label: "Database" }, { key: "server", label: "Server" },
    { key: "archived_at", label: "Archived", text: (p) => since(p.archived_at) }, { key: "backup_id", label: "Backup" },
    { key: "unarchive", label: "", cell: unarchive },
  ], answer.archived, "No archived projects.");
}
