/// Which names in the inbox belong to newsdrop to take, and which belong to producers.
enum InboxRules {
    /// Dotfiles and the partial-file names of common tools (`*.tmp`, `*.part`, `*~`) are a
    /// producer's work in progress: never read, never moved.
    static func isIgnored(_ name: FileName) -> Bool {
        name.bytes.first == UInt8(ascii: ".") || name.hasSuffix(".tmp") || name.hasSuffix(".part")
            || name.hasSuffix("~")
    }

    /// The maildir folders inside `inbox/` are part of the layout, not input.
    static let layoutFolders: Set<FileName> = [FileName("tmp"), FileName("new")]
}
