/// Character references in HTML text and attribute values (`&amp;`, `&#8217;`, `&#x2019;`,
/// `&eacute`), read as HTML5 reads them. Named references are HTML 4's full set, which is what
/// news pages use, plus the HTML5 names for punctuation and spaces that publishing tools emit;
/// HTML5's other two thousand (mathematical symbols, mostly) stay as written.
enum HTMLEntities {
    /// Decodes the reference that starts at `start` (an `&`) and ends before `limit`, appending
    /// its UTF-8 to `output`; returns the index after it, or nil when the `&` starts no
    /// reference and is text. In an attribute value a name without its semicolon followed by a
    /// letter, digit or `=` is not a reference (`?a=1&copy=2` is a query string, not `©=2`).
    static func decode(_ page: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int, inAttribute: Bool,
                       into output: inout [UInt8]) -> Int? {
        let next = start + 1
        guard next < limit else { return nil }
        if page[next] == UInt8(ascii: "#") { return numeric(page, at: next + 1, limit: limit, into: &output) }
        var end = next
        while end < limit, end - next < longestName, isAlphanumeric(page[end]) { end += 1 }
        guard end > next else { return nil }
        if end < limit, page[end] == UInt8(ascii: ";"), let scalar = named[key(page, next..<end)] {
            append(scalar, to: &output)
            return end + 1
        }
        // Without a semicolon only the legacy names count, and the longest that prefixes the run.
        var prefixEnd = min(end, next + longestLegacyName)
        while prefixEnd > next {
            let name = key(page, next..<prefixEnd)
            if legacyNames.contains(name), let scalar = named[name] {
                if inAttribute, prefixEnd < limit, isAlphanumeric(page[prefixEnd]) || page[prefixEnd] == UInt8(ascii: "=") { return nil }
                append(scalar, to: &output)
                return prefixEnd
            }
            prefixEnd -= 1
        }
        return nil
    }

    /// `&#` then decimal digits, or `x` and hex digits, with an optional semicolon. Code points
    /// 128–159 are the windows-1252 characters pages mean by them (`&#146;` is ’), as browsers
    /// read them; zero, surrogates and values beyond Unicode become U+FFFD.
    private static func numeric(_ page: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int, into output: inout [UInt8]) -> Int? {
        var cursor = start
        let isHex = cursor < limit && page[cursor] | 0x20 == UInt8(ascii: "x")
        if isHex { cursor += 1 }
        let digitsStart = cursor
        var value: UInt32 = 0
        while cursor < limit, let digit = digitValue(page[cursor], hex: isHex) {
            value = min(value &* (isHex ? 16 : 10) &+ digit, 0x11_0000)
            cursor += 1
        }
        guard cursor > digitsStart else { return nil }
        if cursor < limit, page[cursor] == UInt8(ascii: ";") { cursor += 1 }
        if value >= 0x80, value < 0xA0, let scalar = TextDecoding.windows1252High[Int(value - 0x80)] {
            append(scalar, to: &output)
        } else {
            append(value == 0 ? nil : Unicode.Scalar(value), to: &output)
        }
        return cursor
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func append(_ scalar: Unicode.Scalar?, to output: inout [UInt8]) {
        output.append(contentsOf: UTF8.encode(scalar ?? "\u{FFFD}")!)
    }

    private static func key(_ page: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: page[range]), as: UTF8.self)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static let longestName = 32
    private static let longestLegacyName = 6

    /// The names HTML5 also reads without a semicolon (`&amp`, `&nbsp`, `&eacute` …): those of HTML 3.2.
    private static let legacyNames: Set<String> = [
        "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil", "ETH", "Eacute",
        "Ecirc", "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute", "Ocirc",
        "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN", "Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute",
        "aacute", "acirc", "acute", "aelig", "agrave", "amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil",
        "cent", "copy", "curren", "deg", "divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14",
        "frac34", "gt", "iacute", "icirc", "iexcl", "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro",
        "middot", "nbsp", "not", "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm", "oslash", "otilde", "ouml",
        "para", "plusmn", "pound", "quot", "raquo", "reg", "sect", "shy", "sup1", "sup2", "sup3", "szlig", "thorn",
        "times", "uacute", "ucirc", "ugrave", "uml", "uuml", "yacute", "yen", "yuml",
    ]

    private static let named: [String: Unicode.Scalar] = [
        "AElig": "\u{C6}", "AMP": "\u{26}", "Aacute": "\u{C1}", "Acirc": "\u{C2}", "Agrave": "\u{C0}",
        "Alpha": "\u{391}", "Aring": "\u{C5}", "Atilde": "\u{C3}", "Auml": "\u{C4}", "Beta": "\u{392}",
        "COPY": "\u{A9}", "Ccedil": "\u{C7}", "Chi": "\u{3A7}", "CloseCurlyDoubleQuote": "\u{201D}",
        "CloseCurlyQuote": "\u{2019}", "Dagger": "\u{2021}", "Delta": "\u{394}", "ETH": "\u{D0}", "Eacute": "\u{C9}",
        "Ecirc": "\u{CA}", "Egrave": "\u{C8}", "Epsilon": "\u{395}", "Eta": "\u{397}", "Euml": "\u{CB}", "GT": "\u{3E}",
        "Gamma": "\u{393}", "Hat": "\u{5E}", "Iacute": "\u{CD}", "Icirc": "\u{CE}", "Igrave": "\u{CC}",
        "Iota": "\u{399}", "Iuml": "\u{CF}", "Kappa": "\u{39A}", "LT": "\u{3C}", "Lambda": "\u{39B}",
        "MediumSpace": "\u{205F}", "Mu": "\u{39C}", "NewLine": "\u{A}", "NoBreak": "\u{2060}", "Ntilde": "\u{D1}",
        "Nu": "\u{39D}", "OElig": "\u{152}", "Oacute": "\u{D3}", "Ocirc": "\u{D4}", "Ograve": "\u{D2}",
        "Omega": "\u{3A9}", "Omicron": "\u{39F}", "OpenCurlyDoubleQuote": "\u{201C}", "OpenCurlyQuote": "\u{2018}",
        "Oslash": "\u{D8}", "Otilde": "\u{D5}", "Ouml": "\u{D6}", "Phi": "\u{3A6}", "Pi": "\u{3A0}",
        "Prime": "\u{2033}", "Psi": "\u{3A8}", "QUOT": "\u{22}", "REG": "\u{AE}", "Rho": "\u{3A1}", "Scaron": "\u{160}",
        "Sigma": "\u{3A3}", "THORN": "\u{DE}", "TRADE": "\u{2122}", "Tab": "\u{9}", "Tau": "\u{3A4}",
        "Theta": "\u{398}", "ThinSpace": "\u{2009}", "Uacute": "\u{DA}", "Ucirc": "\u{DB}", "Ugrave": "\u{D9}",
        "Upsilon": "\u{3A5}", "Uuml": "\u{DC}", "Xi": "\u{39E}", "Yacute": "\u{DD}", "Yuml": "\u{178}",
        "ZeroWidthSpace": "\u{200B}", "Zeta": "\u{396}", "aacute": "\u{E1}", "acirc": "\u{E2}", "acute": "\u{B4}",
        "aelig": "\u{E6}", "agrave": "\u{E0}", "alefsym": "\u{2135}", "alpha": "\u{3B1}", "amp": "\u{26}",
        "and": "\u{2227}", "ang": "\u{2220}", "apos": "\u{27}", "aring": "\u{E5}", "ast": "\u{2A}", "asymp": "\u{2248}",
        "atilde": "\u{E3}", "auml": "\u{E4}", "bdquo": "\u{201E}", "beta": "\u{3B2}", "brvbar": "\u{A6}",
        "bsol": "\u{5C}", "bull": "\u{2022}", "bullet": "\u{2022}", "cap": "\u{2229}", "ccedil": "\u{E7}",
        "cedil": "\u{B8}", "cent": "\u{A2}", "centerdot": "\u{B7}", "check": "\u{2713}", "chi": "\u{3C7}",
        "circ": "\u{2C6}", "clubs": "\u{2663}", "colon": "\u{3A}", "comma": "\u{2C}", "commat": "\u{40}",
        "cong": "\u{2245}", "copy": "\u{A9}", "copysr": "\u{2117}", "crarr": "\u{21B5}", "cross": "\u{2717}",
        "cup": "\u{222A}", "curren": "\u{A4}", "dArr": "\u{21D3}", "dagger": "\u{2020}", "darr": "\u{2193}",
        "dash": "\u{2010}", "deg": "\u{B0}", "delta": "\u{3B4}", "diams": "\u{2666}", "divide": "\u{F7}",
        "dollar": "\u{24}", "eacute": "\u{E9}", "ecirc": "\u{EA}", "egrave": "\u{E8}", "empty": "\u{2205}",
        "emsp": "\u{2003}", "ensp": "\u{2002}", "epsilon": "\u{3B5}", "equals": "\u{3D}", "equiv": "\u{2261}",
        "eta": "\u{3B7}", "eth": "\u{F0}", "euml": "\u{EB}", "euro": "\u{20AC}", "excl": "\u{21}", "exist": "\u{2203}",
        "female": "\u{2640}", "fnof": "\u{192}", "forall": "\u{2200}", "frac12": "\u{BD}", "frac13": "\u{2153}",
        "frac14": "\u{BC}", "frac15": "\u{2155}", "frac18": "\u{215B}", "frac23": "\u{2154}", "frac34": "\u{BE}",
        "frac38": "\u{215C}", "frac58": "\u{215D}", "frac78": "\u{215E}", "frasl": "\u{2044}", "gamma": "\u{3B3}",
        "ge": "\u{2265}", "grave": "\u{60}", "gt": "\u{3E}", "hArr": "\u{21D4}", "hairsp": "\u{200A}", "half": "\u{BD}",
        "harr": "\u{2194}", "hearts": "\u{2665}", "hellip": "\u{2026}", "horbar": "\u{2015}", "hyphen": "\u{2010}",
        "iacute": "\u{ED}", "icirc": "\u{EE}", "iexcl": "\u{A1}", "igrave": "\u{EC}", "image": "\u{2111}",
        "infin": "\u{221E}", "int": "\u{222B}", "iota": "\u{3B9}", "iquest": "\u{BF}", "isin": "\u{2208}",
        "iuml": "\u{EF}", "kappa": "\u{3BA}", "lArr": "\u{21D0}", "lambda": "\u{3BB}", "lang": "\u{2329}",
        "laquo": "\u{AB}", "larr": "\u{2190}", "lceil": "\u{2308}", "lcub": "\u{7B}", "ldquo": "\u{201C}",
        "ldquor": "\u{201E}", "le": "\u{2264}", "lfloor": "\u{230A}", "lowast": "\u{2217}", "lowbar": "\u{5F}",
        "loz": "\u{25CA}", "lpar": "\u{28}", "lrm": "\u{200E}", "lsaquo": "\u{2039}", "lsqb": "\u{5B}",
        "lsquo": "\u{2018}", "lsquor": "\u{201A}", "lt": "\u{3C}", "macr": "\u{AF}", "male": "\u{2642}",
        "mdash": "\u{2014}", "micro": "\u{B5}", "middot": "\u{B7}", "minus": "\u{2212}", "mu": "\u{3BC}",
        "nabla": "\u{2207}", "nbsp": "\u{A0}", "ndash": "\u{2013}", "ne": "\u{2260}", "ni": "\u{220B}",
        "nldr": "\u{2025}", "not": "\u{AC}", "notin": "\u{2209}", "nsub": "\u{2284}", "ntilde": "\u{F1}",
        "nu": "\u{3BD}", "num": "\u{23}", "numsp": "\u{2007}", "oacute": "\u{F3}", "ocirc": "\u{F4}",
        "oelig": "\u{153}", "ograve": "\u{F2}", "oline": "\u{203E}", "omega": "\u{3C9}", "omicron": "\u{3BF}",
        "oplus": "\u{2295}", "or": "\u{2228}", "ordf": "\u{AA}", "ordm": "\u{BA}", "oslash": "\u{F8}",
        "otilde": "\u{F5}", "otimes": "\u{2297}", "ouml": "\u{F6}", "para": "\u{B6}", "part": "\u{2202}",
        "percnt": "\u{25}", "period": "\u{2E}", "permil": "\u{2030}", "perp": "\u{22A5}", "phi": "\u{3C6}",
        "phone": "\u{260E}", "pi": "\u{3C0}", "piv": "\u{3D6}", "plus": "\u{2B}", "plusmn": "\u{B1}", "pound": "\u{A3}",
        "prime": "\u{2032}", "prod": "\u{220F}", "prop": "\u{221D}", "psi": "\u{3C8}", "puncsp": "\u{2008}",
        "quest": "\u{3F}", "quot": "\u{22}", "rArr": "\u{21D2}", "radic": "\u{221A}", "rang": "\u{232A}",
        "raquo": "\u{BB}", "rarr": "\u{2192}", "rceil": "\u{2309}", "rcub": "\u{7D}", "rdquo": "\u{201D}",
        "rdquor": "\u{201D}", "real": "\u{211C}", "reg": "\u{AE}", "rfloor": "\u{230B}", "rho": "\u{3C1}",
        "rlm": "\u{200F}", "rpar": "\u{29}", "rsaquo": "\u{203A}", "rsqb": "\u{5D}", "rsquo": "\u{2019}",
        "rsquor": "\u{2019}", "sbquo": "\u{201A}", "scaron": "\u{161}", "sdot": "\u{22C5}", "sect": "\u{A7}",
        "semi": "\u{3B}", "shy": "\u{AD}", "sigma": "\u{3C3}", "sigmaf": "\u{3C2}", "sim": "\u{223C}", "sol": "\u{2F}",
        "spades": "\u{2660}", "star": "\u{2606}", "starf": "\u{2605}", "sub": "\u{2282}", "sube": "\u{2286}",
        "sum": "\u{2211}", "sup": "\u{2283}", "sup1": "\u{B9}", "sup2": "\u{B2}", "sup3": "\u{B3}", "supe": "\u{2287}",
        "szlig": "\u{DF}", "tau": "\u{3C4}", "there4": "\u{2234}", "theta": "\u{3B8}", "thetasym": "\u{3D1}",
        "thinsp": "\u{2009}", "thorn": "\u{FE}", "tilde": "\u{2DC}", "times": "\u{D7}", "trade": "\u{2122}",
        "uArr": "\u{21D1}", "uacute": "\u{FA}", "uarr": "\u{2191}", "ucirc": "\u{FB}", "ugrave": "\u{F9}",
        "uml": "\u{A8}", "upsih": "\u{3D2}", "upsilon": "\u{3C5}", "uuml": "\u{FC}", "verbar": "\u{7C}",
        "vert": "\u{7C}", "weierp": "\u{2118}", "xi": "\u{3BE}", "yacute": "\u{FD}", "yen": "\u{A5}", "yuml": "\u{FF}",
        "zeta": "\u{3B6}", "zwj": "\u{200D}", "zwnj": "\u{200C}",
    ]
}
