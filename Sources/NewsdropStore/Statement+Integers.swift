import GRDB
import GRDBSQLite

/// Binding and stepping without GRDB's argument boxing, for the statements the writer runs a
/// hundred times per article: posting lookups and inserts, and reads of candidates' feature
/// blobs, whose arguments are all integers. Callgrind put GRDB's per-execution `StatementArguments` and `DatabaseValue`
/// conversions at a quarter of near-duplicate placement's instructions. Errors are GRDB's own
/// `DatabaseError`, as from any other statement.
extension Statement {
    /// Runs the statement with `arguments` and calls `row` with the first column of each row.
    func forEachInteger(_ arguments: Int64..., row: (Int64) -> Void) throws {
        try bind(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        while true {
            let code = sqlite3_step(sqliteStatement)
            guard code == SQLITE_ROW else {
                if code == SQLITE_DONE { return }
                throw failure(code)
            }
            row(sqlite3_column_int64(sqliteStatement, 0))
        }
    }

    /// Runs the statement with `arguments` and hands `read` the first column of its first row
    /// as bytes in place (valid only during the call; empty for NULL); nil when there is no row.
    /// Saves copying each candidate's units blob twice (into `Data`, then into an array).
    func firstBlob<Result>(_ arguments: Int64..., read: (UnsafeRawBufferPointer) -> Result) throws -> Result? {
        try firstRow(arguments) { read($0.blob(0)) }
    }

    /// Runs the statement with `arguments` and hands `read` its first row, whose columns are
    /// read in place (valid only during the call); nil when there is no row.
    func firstRow<Result>(_ arguments: Int64..., read: (RawColumns) throws -> Result) throws -> Result? {
        try firstRow(arguments, read: read)
    }

    private func firstRow<Result>(_ arguments: [Int64], read: (RawColumns) throws -> Result) throws -> Result? {
        try bind(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        let code = sqlite3_step(sqliteStatement)
        guard code == SQLITE_ROW else {
            if code == SQLITE_DONE { return nil }
            throw failure(code)
        }
        return try read(RawColumns(statement: sqliteStatement))
    }

    /// Runs a statement that returns no rows (an insert, an update) with `arguments`.
    func executeIntegers(_ arguments: Int64...) throws {
        try bind(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        let code = sqlite3_step(sqliteStatement)
        guard code == SQLITE_DONE else { throw failure(code) }
    }

    private func bind(_ arguments: [Int64]) throws {
        sqlite3_reset(sqliteStatement)
        for (index, value) in arguments.enumerated() {
            let code = sqlite3_bind_int64(sqliteStatement, Int32(index + 1), value)
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code),
                      message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}

/// The current row of a stepped statement, read through SQLite's C API. Valid only until the
/// statement steps again or is reset.
struct RawColumns {
    fileprivate let statement: SQLiteStatement

    /// The column as bytes in place; empty for NULL.
    func blob(_ index: Int32) -> UnsafeRawBufferPointer {
        let start = sqlite3_column_blob(statement, index), count = Int(sqlite3_column_bytes(statement, index))
        return UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count)
    }

    /// The column as an integer; nil for NULL.
    func integer(_ index: Int32) -> Int64? {
        sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, index)
    }

    /// The column as a double; nil for NULL.
    func double(_ index: Int32) -> Double? {
        sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : sqlite3_column_double(statement, index)
    }
}
