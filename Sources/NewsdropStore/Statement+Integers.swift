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
        try bind(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        let code = sqlite3_step(sqliteStatement)
        guard code == SQLITE_ROW else {
            if code == SQLITE_DONE { return nil }
            throw failure(code)
        }
        let start = sqlite3_column_blob(sqliteStatement, 0), count = Int(sqlite3_column_bytes(sqliteStatement, 0))
        return read(UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count))
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
