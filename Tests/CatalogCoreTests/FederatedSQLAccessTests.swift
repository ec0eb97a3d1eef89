import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

/// `catalog sql` reads the documented relations and nothing else of the store (issue 12, item 7).
@Suite("catalog sql reads only its relations")
struct FederatedSQLAccessTests {
    /// A store holding a project whose DSN has a password, and the fleet's index rows nowhere.
    static func storeWithSecret() throws -> Catalog {
        let catalog = try TestEnvironment.catalog()
        _ = try catalog.addProject(name: "vault", dsn: "postgresql://owner:s3cret-pw@127.0.0.1:1/vault")
        return catalog
    }

    @Test(
        "every way around the relations is refused with one line, and shows no secret",
        arguments: [
            "select name, dsn from main.project",
            "select name, dsn from project",
            "select count(*) from main.project",
            "select * from main.index_state",
            "select count(*) from main.index_column",
            "select * from main.audit_log",
            "select * from temp.sqlite_master",
            "select * from temp.sqlite_temp_master",
            "select sql from sqlite_master",
            "select sql from sqlite_schema",
            "select * from pragma_table_info('project')",
            "select * from pragma_database_list",
            "select * from main.pragma_table_list",
            "select * from dbstat",
            "select * from sqlite_stmt",
            "select fts3_tokenizer('simple')",
            "select hex(fts3_tokenizer('simple'))",
            "select load_extension('/tmp/nothing.so')",
            "select sqlite_compileoption_get(0)",
            "select * from json_each((select group_concat(dsn) from main.project))",
            "with projects as (select dsn as project from main.project) select * from projects",
            "with project as (select 1) select dsn from main.project",
            "select * from projects where project in (select name from main.project)",
            "select (select group_concat(dsn) from project)",
            "attach database ':memory:' as other",
            "select * from other.project",
            "pragma table_info(project)",
            "insert into temp.projects (project) values ('x')",
            "delete from main.project",
        ])
    func refusesTricks(_ sql: String) throws {
        let catalog = try Self.storeWithSecret()
        #expect {
            try catalog.federatedSQL(sql, in: ProjectSelection(names: ["vault"]), cached: true)
        } throws: { error in
            let message = "\(error)"
            return !message.contains("s3cret") && !message.contains("owner") && !message.contains("\n")
        }
        #expect(try catalog.listProjects().map(\.name) == ["vault"])
    }

    @Test("a refusal names what was refused")
    func refusalSaysWhy() throws {
        let catalog = try Self.storeWithSecret()
        #expect {
            try catalog.federatedSQL("select name, dsn from main.project", cached: true)
        } throws: { error in
            "\(error)".contains("main.project") && "\(error)".contains("the relations are projects, tables")
        }
        #expect {
            try catalog.federatedSQL("select fts3_tokenizer('simple')", cached: true)
        } throws: { error in
            "\(error)".contains("fts3_tokenizer()")
        }
    }

    @Test(
        "the documented relations answer every shape of query",
        arguments: [
            "select count(*) from projects", "select count(*) from tables", "select count(*) from columns",
            "select count(*) from shared_tables", "select count(*) from shared_columns", "select count(*) from audit",
            "select exists (select 1 from columns)", "select 1 from tables limit 1",
            "select * from temp.projects", "select project from projects order by 1",
            "select t.project, count(c.pg_column) from tables t left join columns c on c.project = t.project and c.table_name = t.table_name group by 1",
            "select count(*) from projects p join columns c on c.project = p.project",
            "select count(*) from tables t1, tables t2 where t1.project = t2.project",
            "select key, value from json_each('[1, 2]')", "select count(*) from json_tree('{\"a\": [1]}')",
            "select upper(project), length(table_name), coalesce(label, '-'), printf('%s.%s', pg_schema, table_name) from tables",
            "select row_number() over (order by project), lag(project) over (order by project) from projects",
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5) select sum(i) from n",
            "select json_group_array(pg_column) from columns group by project",
            "select datetime(fetched_at), round(revision * 1.0, 1), abs(-1), sqrt(4) from projects",
            "values (1, 'a')", "select 1",
        ])
    func legitimateQueries(_ sql: String) throws {
        let fleet = try SharedFleet.fleet()
        let answer = try fleet.catalog.federatedSQL(sql, cached: true).answer
        #expect(!answer.rows.isEmpty)
    }

    @Test("the project filter holds: only the selected projects' rows are visible")
    func filterHolds() throws {
        let fleet = try SharedFleet.fleet()
        let shop = ProjectSelection(names: ["shop"])
        #expect(
            try fleet.catalog.federatedSQL("select project, count(*) from tables group by 1", in: shop, cached: true).answer.rows
                == [[.text("shop"), .integer(6)]])
        #expect(try fleet.catalog.federatedSQL("select count(*) from projects", in: shop, cached: true).answer.rows == [[.integer(1)]])
        #expect(throws: CatalogError.self) {
            try fleet.catalog.federatedSQL("with tables as (select * from main.index_table) select count(*) from tables", in: shop, cached: true)
        }
    }
}
