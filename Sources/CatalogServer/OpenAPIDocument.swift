


/// The OpenAPI 3 description of every route, served at `/openapi.json`. Written by hand next to
/// the routes; the OpenAPI tests hold the two together (every served route is described, every
/// described route is served, and answers match their schemas).
enum OpenAPIDocument {
    /// The document as JSON text.
    static let text = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "catalog",
    "version": "1",
    "description": "The metadata catalog over HTTP: projects, cross-project search, read-only SQL, shared definitions and sync, drift, backups, and project export. Every /api route needs 'Authorization: Bearer TOKEN' (the token in the server's --token-file, or in the STORE.serve-token file it generated) or the web page's session cookie; writes from a browser must come from this server's own origin. Every route but /healthz answers 421 unless the Host header names this server: a loopback name, --host, or a --public-url. POST /api/v1/projects accepts only servers named by --allow-hosts or already holding a registered project, and no unix socket, passfile or service unless --allow-local-dsn."
  },
  "security": [{"bearerAuth": []}, {"sessionCookie": []}],
  "paths": {
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "Liveness: the store can be read.",
        "tags": ["operations"],
        "security": [],
        "responses": {
          "200": {"description": "Healthy.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus metrics: requests, latencies, fan-out outcomes, the warm pool.",
        "tags": ["operations"],
        "security": [],
        "responses": {"200": {"description": "Prometheus text format.", "content": {"text/plain": {"schema": {"type": "string"}}}}, "421": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document.",
        "tags": ["operations"],
        "security": [],
        "responses": {"200": {"description": "OpenAPI 3.", "content": {"application/json": {"schema": {"type": "object"}}}}, "421": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/": {
      "get": {
        "operationId": "webPage",
        "summary": "The web page: search, projects, backups; signs in with the token.",
        "tags": ["web"],
        "security": [],
        "responses": {"200": {"description": "HTML.", "content": {"text/html": {"schema": {"type": "string"}}}}, "421": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/assets/app.js": {
      "get": {
        "operationId": "webScript",
        "summary": "The web page's script.",
        "tags": ["web"],
        "security": [],
        "responses": {"200": {"description": "JavaScript.", "content": {"text/javascript": {"schema": {"type": "string"}}}}, "421": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/assets/app.css": {
      "get": {
        "operationId": "webStyle",
        "summary": "The web page's style sheet.",
        "tags": ["web"],
        "security": [],
        "responses": {"200": {"description": "CSS.", "content": {"text/css": {"schema": {"type": "string"}}}}, "421": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/session": {
      "post": {
        "operationId": "signIn",
        "summary": "Exchange the token for an HttpOnly, SameSite=Strict session cookie.",
        "tags": ["session"],
        "security": [],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignIn"}}}},
        "responses": {
          "200": {
            "description": "Signed in; the cookie is set.",
            "headers": {"Set-Cookie": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignedIn"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      },
      "delete": {
        "operationId": "signOut",
        "summary": "End the session and clear the cookie.",
        "tags": ["session"],
        "security": [],
        "responses": {"204": {"description": "Signed out."}, "403": {"$ref": "#/components/responses/Error"}, "421": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/projects": {
      "get": {
        "operationId": "listProjects",
        "summary": "Registered projects with reachability, _metadata version, index freshness and last backup.",
        "tags": ["projects"],
        "parameters": [
          {
            "name": "tag",
            "in": "query",
            "description": "Only projects with this tag (repeatable).",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": true
          },
          {
            "name": "check",
            "in": "query",
            "description": "Connect to each project first, so reachable and metadata_version are live.",
            "schema": {"type": "boolean"}
          }
        ],
        "responses": {
          "200": {
            "description": "The projects.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProjectList"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      },
      "post": {
        "operationId": "addProject",
        "summary": "Register a project database. Does not connect. Only on a server named by --allow-hosts or already holding a registered project, and with no unix socket, passfile or service unless --allow-local-dsn: 403 otherwise.",
        "tags": ["projects"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewProject"}}}},
        "responses": {
          "201": {
            "description": "Registered.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/projects/{name}": {
      "parameters": [{"$ref": "#/components/parameters/ProjectName"}],
      "get": {
        "operationId": "showProject",
        "summary": "One project (the DSN masked).",
        "tags": ["projects"],
        "responses": {
          "200": {
            "description": "The project.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}
          },
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      },
      "delete": {
        "operationId": "removeProject",
        "summary": "Forget a project and close its pooled connections. Its database is never touched.",
        "tags": ["projects"],
        "responses": {
          "204": {"description": "Removed."},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/projects/{name}/release": {
      "parameters": [{"$ref": "#/components/parameters/ProjectName"}],
      "post": {
        "operationId": "releaseProject",
        "summary": "Close the warm pool's connections to a project, optionally holding off new ones, so a restore or import finds no other sessions.",
        "tags": ["projects"],
        "parameters": [
          {
            "name": "hold_seconds",
            "in": "query",
            "description": "Refuse new connections to the project for this long (0 to 3600).",
            "schema": {"type": "number", "minimum": 0, "maximum": 3600}
          }
        ],
        "responses": {
          "200": {"description": "Released.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Released"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/projects/{name}/export": {
      "parameters": [{"$ref": "#/components/parameters/ProjectName"}],
      "post": {
        "operationId": "exportProject",
        "summary": "Export a project as a relocation bundle (catalog export), streamed as a download; the file is also kept in exports/ beside the store. A POST, so a link or an image on another site cannot start one.",
        "tags": ["projects"],
        "parameters": [
          {
            "name": "metadata_only",
            "in": "query",
            "description": "Only the schema and _metadata: leave out every other table's data.",
            "schema": {"type": "boolean"}
          }
        ],
        "responses": {
          "200": {
            "description": "The bundle (a ZIP with a checked manifest).",
            "headers": {
              "X-Catalog-Bundle-SHA256": {"description": "The bundle file's SHA-256.", "schema": {"type": "string"}},
              "Content-Disposition": {"schema": {"type": "string"}}
            },
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "502": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/search/columns": {
      "get": {
        "operationId": "searchColumns",
        "summary": "Find columns by name across projects; the same JSON as 'catalog find-column --format json'.",
        "tags": ["search"],
        "parameters": [
          {"$ref": "#/components/parameters/SearchName"},
          {"$ref": "#/components/parameters/Match"},
          {"$ref": "#/components/parameters/IgnoreCase"},
          {"$ref": "#/components/parameters/Project"},
          {"$ref": "#/components/parameters/Tag"},
          {"$ref": "#/components/parameters/Cached"}
        ],
        "responses": {
          "200": {
            "description": "Matches, and the projects that did not answer.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ColumnSearch"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/search/tables": {
      "get": {
        "operationId": "searchTables",
        "summary": "Find tables, views and other relations by name; the same JSON as 'catalog find-table --format json'.",
        "tags": ["search"],
        "parameters": [
          {"$ref": "#/components/parameters/SearchName"},
          {"$ref": "#/components/parameters/Match"},
          {"$ref": "#/components/parameters/IgnoreCase"},
          {"$ref": "#/components/parameters/Project"},
          {"$ref": "#/components/parameters/Tag"},
          {"$ref": "#/components/parameters/Cached"}
        ],
        "responses": {
          "200": {
            "description": "Matches, and the projects that did not answer.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TableSearch"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/sql": {
      "post": {
        "operationId": "runSQL",
        "summary": "Read-only SQL over projects, tables, columns, shared_tables and shared_columns; the same JSON as 'catalog sql --format json'.",
        "tags": ["search"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SQLQuestion"}}}},
        "responses": {
          "200": {
            "description": "Rows, and the projects that could not be read live.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SQLAnswer"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "504": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/shared": {
      "get": {
        "operationId": "listShared",
        "summary": "Shared definitions: current version, attached projects, and the projects behind it.",
        "tags": ["shared"],
        "responses": {
          "200": {
            "description": "The definitions.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SharedList"}}}
          },
          "401": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/shared/{name}": {
      "parameters": [
        {
          "name": "name",
          "in": "path",
          "required": true,
          "description": "The definition's name.",
          "schema": {"type": "string"}
        }
      ],
      "get": {
        "operationId": "showShared",
        "summary": "One shared definition (the newest version, or ?version=N) as its definition file's JSON.",
        "tags": ["shared"],
        "parameters": [
          {
            "name": "version",
            "in": "query",
            "description": "Which version (default: the newest).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}
          }
        ],
        "responses": {
          "200": {
            "description": "The definition.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SharedDefinition"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/sync/plan": {
      "get": {
        "operationId": "planSync",
        "summary": "What sync would write, field by field, with the plan's hash; changes nothing. The same rows as 'catalog sync --plan --format json'.",
        "tags": ["sync"],
        "parameters": [
          {"$ref": "#/components/parameters/Project"},
          {"$ref": "#/components/parameters/Tag"},
          {
            "name": "definition",
            "in": "query",
            "description": "Only this shared definition (repeatable).",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": true
          },
          {
            "name": "force",
            "in": "query",
            "description": "Plan as if the shared version wins every field.",
            "schema": {"type": "boolean"}
          }
        ],
        "responses": {
          "200": {"description": "The plan.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SyncPlan"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/sync": {
      "post": {
        "operationId": "applySync",
        "summary": "Apply the plan with this hash; 409 if it changed since it was shown. Projects with conflicts are left untouched.",
        "tags": ["sync"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SyncRequest"}}}},
        "responses": {
          "200": {
            "description": "What each project did.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SyncResult"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/drift": {
      "get": {
        "operationId": "drift",
        "summary": "Where _metadata and the real tables disagree, and where copies of shared definitions moved; the JSON of 'catalog drift --format json'.",
        "tags": ["drift"],
        "parameters": [{"$ref": "#/components/parameters/Project"}, {"$ref": "#/components/parameters/Tag"}],
        "responses": {
          "200": {
            "description": "The drift found.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Drift"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/backups": {
      "get": {
        "operationId": "listBackups",
        "summary": "Backups, newest first, and the projects with none in the last 24 h.",
        "tags": ["backups"],
        "parameters": [{"$ref": "#/components/parameters/Project"}],
        "responses": {
          "200": {
            "description": "The backups.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BackupList"}}}
          },
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      },
      "post": {
        "operationId": "createBackups",
        "summary": "Back up projects with pg_dump -Fc into the store's backup directory.",
        "tags": ["backups"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BackupRequest"}}}},
        "responses": {
          "201": {
            "description": "Every backup succeeded.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BackupResults"}}}
          },
          "207": {
            "description": "Some backups failed; each result says why.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BackupResults"}}}
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "421": {"$ref": "#/components/responses/Error"}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearerAuth": {"type": "http", "scheme": "bearer", "description": "The token from the server's --token-file, or from the STORE.serve-token file it generated (its path is in the start-up log)."},
      "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "catalog_session", "description": "Set by POST /api/v1/session."}
    },
    "parameters": {
      "ProjectName": {
        "name": "name",
        "in": "path",
        "required": true,
        "description": "The project's registered name.",
        "schema": {"type": "string"}
      },
      "SearchName": {
        "name": "name",
        "in": "query",
        "required": true,
        "description": "The name to look for.",
        "schema": {"type": "string", "minLength": 1}
      },
      "Match": {
        "name": "match",
        "in": "query",
        "description": "How to match.",
        "schema": {"type": "string", "enum": ["exact", "contains", "prefix", "regex"], "default": "exact"}
      },
      "IgnoreCase": {
        "name": "ignore_case",
        "in": "query",
        "description": "Match without regard to case.",
        "schema": {"type": "boolean", "default": false}
      },
      "Project": {
        "name": "project",
        "in": "query",
        "description": "Only this project (repeatable).",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": true
      },
      "Tag": {
        "name": "tag",
        "in": "query",
        "description": "Only projects with this tag (repeatable).",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": true
      },
      "Cached": {
        "name": "cached",
        "in": "query",
        "description": "Answer from the local index; no database is contacted.",
        "schema": {"type": "boolean", "default": false}
      }
    },
    "responses": {
      "Error": {
        "description": "What went wrong and what to do next.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": false,
        "properties": {
          "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": false,
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
          }
        }
      },
      "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok"]}}},
      "SignIn": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}},
      "SignedIn": {"type": "object", "required": ["signed_in"], "properties": {"signed_in": {"type": "boolean"}}},
      "Project": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name",
          "dsn",
          "server",
          "tags",
          "reachable",
          "status_message",
          "server_version",
          "metadata_version",
          "last_checked_at",
          "last_reached_at",
          "created_at",
          "index_revision",
          "index_fetched_at",
          "index_age_seconds",
          "last_backup_at"
        ],
        "properties": {
          "name": {"type": "string"},
          "dsn": {"type": "string", "description": "The connection string with its password masked."},
          "server": {"type": "string"},
          "tags": {"type": "array", "items": {"type": "string"}},
          "reachable": {"type": "string", "enum": ["yes", "no", "unchecked"]},
          "status_message": {"type": "string", "nullable": true},
          "server_version": {"type": "string", "nullable": true},
          "metadata_version": {"type": "integer", "nullable": true},
          "last_checked_at": {"type": "string", "format": "date-time", "nullable": true},
          "last_reached_at": {"type": "string", "format": "date-time", "nullable": true},
          "created_at": {"type": "string", "format": "date-time"},
          "index_revision": {"type": "integer", "nullable": true},
          "index_fetched_at": {"type": "string", "format": "date-time", "nullable": true},
          "index_age_seconds": {"type": "integer", "nullable": true},
          "last_backup_at": {"type": "string", "format": "date-time", "nullable": true}
        }
      },
      "ProjectList": {
        "type": "object",
        "required": ["projects"],
        "properties": {"projects": {"type": "array", "items": {"$ref": "#/components/schemas/Project"}}}
      },
      "NewProject": {
        "type": "object",
        "required": ["name", "dsn"],
        "properties": {
          "name": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$",
            "description": "ASCII letters, digits, '_', '-', '.', starting with a letter or digit; at most 63."
          },
          "dsn": {"type": "string", "minLength": 1, "description": "A libpq connection string: a URI or key=value pairs."},
          "tags": {"type": "array", "items": {"type": "string", "pattern": "^[^,\\s]{1,63}$"}, "nullable": true}
        }
      },
      "Released": {
        "type": "object",
        "required": ["project", "released", "hold_seconds"],
        "properties": {"project": {"type": "string"}, "released": {"type": "boolean"}, "hold_seconds": {"type": "number"}}
      },
      "Failure": {
        "type": "object",
        "required": ["project", "status", "error"],
        "additionalProperties": false,
        "properties": {
          "project": {"type": "string"},
          "status": {"type": "string", "enum": ["failed", "timed_out", "skipped"]},
          "error": {"type": "string"}
        }
      },
      "Source": {
        "type": "object",
        "required": ["project", "live", "revision", "fetched_at", "age_seconds"],
        "additionalProperties": false,
        "properties": {
          "project": {"type": "string"},
          "live": {"type": "boolean"},
          "revision": {"type": "integer", "nullable": true},
          "fetched_at": {"type": "string", "format": "date-time", "nullable": true},
          "age_seconds": {"type": "integer", "nullable": true}
        }
      },
      "ColumnMatch": {
        "type": "object",
        "required": ["project", "schema", "table", "column", "type", "kind", "label", "nullable"],
        "additionalProperties": false,
        "properties": {
          "project": {"type": "string"},
          "schema": {"type": "string", "nullable": true},
          "table": {"type": "string"},
          "column": {"type": "string", "nullable": true},
          "type": {"type": "string", "nullable": true},
          "kind": {"type": "string", "nullable": true},
          "label": {"type": "string"},
          "nullable": {"type": "boolean", "nullable": true}
        }
      },
      "TableMatch": {
        "type": "object",
        "required": ["project", "schema", "table", "kind", "label", "graphql_type"],
        "additionalProperties": false,
        "properties": {
          "project": {"type": "string"},
          "schema": {"type": "string", "nullable": true},
          "table": {"type": "string"},
          "kind": {"type": "string", "nullable": true},
          "label": {"type": "string"},
          "graphql_type": {"type": "string", "nullable": true}
        }
      },
      "ColumnSearch": {
        "type": "object",
        "required": ["matches", "failures", "sources"],
        "additionalProperties": false,
        "properties": {
          "matches": {"type": "array", "items": {"$ref": "#/components/schemas/ColumnMatch"}},
          "failures": {"type": "array", "items": {"$ref": "#/components/schemas/Failure"}},
          "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}
        }
      },
      "TableSearch": {
        "type": "object",
        "required": ["matches", "failures", "sources"],
        "additionalProperties": false,
        "properties": {
          "matches": {"type": "array", "items": {"$ref": "#/components/schemas/TableMatch"}},
          "failures": {"type": "array", "items": {"$ref": "#/components/schemas/Failure"}},
          "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}
        }
      },
      "SQLQuestion": {
        "type": "object",
        "required": ["sql"],
        "properties": {
          "sql": {"type": "string", "pattern": "\\S", "description": "One SELECT statement (SQLite dialect)."},
          "project": {"type": "array", "items": {"type": "string"}, "nullable": true},
          "tag": {"type": "array", "items": {"type": "string"}, "nullable": true},
          "cached": {"type": "boolean", "nullable": true}
        }
      },
      "SQLAnswer": {
        "type": "object",
        "required": ["rows", "failures"],
        "additionalProperties": false,
        "properties": {
          "rows": {"type": "array", "items": {"type": "object"}},
          "failures": {"type": "array", "items": {"$ref": "#/components/schemas/Failure"}}
        }
      },
      "Backup": {
        "type": "object",
        "required": ["id", "project", "created_at", "size_bytes", "seconds", "sha256", "file", "verified", "stale"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "integer", "nullable": true},
          "project": {"type": "string"},
          "created_at": {"type": "string", "format": "date-time"},
          "size_bytes": {"type": "integer"},
          "seconds": {"type": "number"},
          "sha256": {"type": "string"},
          "file": {"type": "string"},
          "verified": {"type": "string", "enum": ["ok", "failed", "never"]},
          "stale": {"type": "boolean"}
        }
      },
      "BackupList": {
        "type": "object",
        "required": ["backups", "stale"],
        "additionalProperties": false,
        "properties": {
          "backups": {"type": "array", "items": {"$ref": "#/components/schemas/Backup"}},
          "stale": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["project", "last_backup_at"],
              "properties": {"project": {"type": "string"}, "last_backup_at": {"type": "string", "format": "date-time", "nullable": true}}
            }
          }
        }
      },
      "BackupRequest": {
        "type": "object",
        "description": "Name projects, or pass all (optionally narrowed by tag), or only tag. With all, projects must be absent, null or empty.",
        "properties": {
          "projects": {"type": "array", "items": {"type": "string", "minLength": 1}, "nullable": true},
          "all": {"type": "boolean", "nullable": true},
          "tag": {"type": "array", "items": {"type": "string", "minLength": 1}, "nullable": true}
        },
        "anyOf": [
          {
            "required": ["projects"],
            "properties": {
              "projects": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
              "all": {"enum": [false, null]}
            }
          },
          {
            "required": ["all"],
            "properties": {"all": {"enum": [true]}, "projects": {"type": "array", "maxItems": 0, "nullable": true}}
          },
          {
            "required": ["tag"],
            "properties": {
              "tag": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
              "all": {"enum": [false, null]}
            }
          }
        ]
      },
      "BackupResults": {
        "type": "object",
        "required": ["results"],
        "properties": {
          "results": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["project", "result", "backup", "error"],
              "properties": {
                "project": {"type": "string"},
                "result": {"type": "string", "enum": ["ok", "failed", "timed_out", "skipped"]},
                "backup": {"allOf": [{"$ref": "#/components/schemas/Backup"}], "nullable": true},
                "error": {"type": "string", "nullable": true}
              }
            }
          }
        }
      },
      "SharedList": {
        "type": "object",
        "required": ["definitions"],
        "additionalProperties": false,
        "properties": {
          "definitions": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["name", "version", "table", "attached", "behind"],
              "additionalProperties": false,
              "properties": {
                "name": {"type": "string"},
                "version": {"type": "integer"},
                "table": {"type": "string"},
                "attached": {"type": "array", "items": {"type": "string"}},
                "behind": {"type": "array", "items": {"type": "string"}}
              }
            }
          }
        }
      },
      "SharedDefinition": {
        "type": "object",
        "required": ["name", "version", "versions", "author", "note", "created_at", "definition"],
        "additionalProperties": false,
        "properties": {
          "name": {"type": "string"},
          "version": {"type": "integer"},
          "versions": {"type": "integer"},
          "author": {"type": "string"},
          "note": {"type": "string", "nullable": true},
          "created_at": {"type": "string", "format": "date-time"},
          "definition": {
            "type": "object",
            "description": "The definition file: schema, table, labels and columns.",
            "required": ["table", "columns"]
          }
        }
      },
      "SyncChange": {
        "type": "object",
        "required": ["project", "definition", "action", "from_version", "to_version", "field", "resolution", "ours", "theirs"],
        "additionalProperties": false,
        "properties": {
          "project": {"type": "string"},
          "definition": {"type": "string"},
          "action": {"type": "string", "enum": ["create", "update", "unchanged", "conflict"]},
          "from_version": {"type": "integer", "nullable": true},
          "to_version": {"type": "integer"},
          "field": {"type": "string", "nullable": true},
          "resolution": {"type": "string", "nullable": true, "enum": ["update", "conflict", "keep_local", "overwrite_local", "removed_upstream", null]},
          "ours": {"type": "string", "nullable": true},
          "theirs": {"type": "string", "nullable": true}
        }
      },
      "SyncPlan": {
        "type": "object",
        "required": ["hash", "changes", "failures"],
        "additionalProperties": false,
        "properties": {
          "hash": {"type": "string"},
          "changes": {"type": "array", "items": {"$ref": "#/components/schemas/SyncChange"}},
          "failures": {"type": "array", "items": {"$ref": "#/components/schemas/Failure"}}
        }
      },
      "SyncRequest": {
        "type": "object",
        "required": ["plan"],
        "properties": {
          "plan": {"type": "string", "description": "The hash GET /api/v1/sync/plan returned."},
          "project": {"type": "array", "items": {"type": "string"}, "nullable": true},
          "tag": {"type": "array", "items": {"type": "string"}, "nullable": true},
          "definition": {"type": "array", "items": {"type": "string"}, "nullable": true},
          "force": {"type": "boolean", "nullable": true}
        }
      },
      "SyncResult": {
        "type": "object",
        "required": ["hash", "results", "failures"],
        "additionalProperties": false,
        "properties": {
          "hash": {"type": "string"},
          "results": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["project", "status", "error", "written"],
              "additionalProperties": false,
              "properties": {
                "project": {"type": "string"},
                "status": {"type": "string", "enum": ["ok", "failed", "timed_out", "skipped"]},
                "error": {"type": "string", "nullable": true},
                "written": {"type": "array", "items": {"type": "string"}}
              }
            }
          },
          "failures": {"type": "array", "items": {"$ref": "#/components/schemas/Failure"}}
        }
      },
      "Drift": {
        "type": "object",
        "required": ["drift", "items", "failures"],
        "additionalProperties": false,
        "properties": {
          "drift": {"type": "boolean"},
          "items": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["project", "layer", "kind", "object", "detail"],
              "additionalProperties": false,
              "properties": {
                "project": {"type": "string"},
                "layer": {"type": "string", "enum": ["schema", "shared"]},
                "kind": {"type": "string"},
                "object": {"type": "string"},
                "detail": {"type": "string"}
              }
            }
          },
          "failures": {"type": "array", "items": {"$ref": "#/components/schemas/Failure"}}
        }
      }
    }
  }
}
"""#
}
