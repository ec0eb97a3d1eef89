/// The SQLSTATE codes catalog reacts to, by name (PostgreSQL's Appendix A), so no code compares
/// against a bare literal.
public enum SQLState {
    public static let featureNotSupported = "0A000"
    public static let invalidSQLStatementName = "26000"
    public static let invalidPassword = "28P01"
    public static let invalidCatalogName = "3D000"
    public static let invalidSchemaName = "3F000"
    public static let insufficientPrivilege = "42501"
    public static let undefinedColumn = "42703"
    public static let undefinedTable = "42P01"
    public static let lockNotAvailable = "55P03"
    public static let objectInUse = "55006"
    public static let queryCanceled = "57014"
    public static let readOnlySQLTransaction = "25006"
    public static let invalidRegularExpression = "2201B"
}
