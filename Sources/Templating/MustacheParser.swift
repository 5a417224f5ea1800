/// Reads Mustache text into `MustacheNode`s, once per template file.
///
/// It follows the grammar and the whitespace rules of swift-mustache (the engine sitegen used
/// before, whose output the built-in and reseller themes were written against): it reads
/// grapheme clusters (`Character`s), a line is standalone only when it holds nothing but one
/// tag and spaces or tabs, a block inside a parent drops the indentation of its first line from
/// the lines after it, and a syntax error is reported at the same line and column, with the
/// same name, as swift-mustache reports it.
struct MustacheParser {
    struct Failure: Error {
        var error: MustacheSyntaxError
        var line: Int
        var column: Int
    }

    private let characters: [Character]
    private var position = 0

    private init(_ text: String) {
        characters = Array(text)
    }

    static func parse(_ text: String) throws(Failure) -> [MustacheNode] {
        var parser = MustacheParser(text)
        do {
            return try parser.parse(state: State())
        } catch {
            let (line, column) = parser.lineAndColumn()
            throw Failure(error: error, line: line, column: column)
        }
    }

    /// What the parser knows at a point: the open section, the delimiters, and whether it is at
    /// the start of a line or inside a parent (`{{<name}}`) whose blocks it is reading.
    private struct State {
        var sectionName: String?
        var sectionTransforms: [String] = []
        var atLineStart = true
        var insideParent = false
        var atParentTopLevel = false
        var startDelimiter: [Character] = ["{", "{"]
        var endDelimiter: [Character] = ["}", "}"]
        var blockIndent: [Character]?

        func inSection(_ name: String, standalone: Bool, transforms: [String] = []) -> State {
            var state = self
            state.sectionName = name
            state.sectionTransforms = transforms
            state.atParentTopLevel = false
            if !standalone { state.atLineStart = false }
            return state
        }

        func inParent(_ name: String) -> State {
            var state = self
            state.sectionName = name
            state.sectionTransforms = []
            state.atLineStart = true
            state.insideParent = true
            state.atParentTopLevel = true
            return state
        }
    }

    // MARK: Grammar

    private mutating func parse(state initial: State) throws(MustacheSyntaxError) -> [MustacheNode] {
        var nodes: [MustacheNode] = []
        var state = initial
        var whitespaceBefore: [Character] = []
        while !atEnd {
            if state.atLineStart {
                let whitespace = read(while: { $0 == " " || $0 == "\t" })
                if state.insideParent, !state.atParentTopLevel {
                    if let indent = state.blockIndent {
                        whitespaceBefore = Array(whitespace.dropFirst(indent.count))
                    } else {
                        state.blockIndent = whitespace
                    }
                } else {
                    whitespaceBefore = whitespace
                }
            }
            let text = try readTextUntilTagOrNewline(state)
            if current.isNewline {
                nodes.append(.text(String(whitespaceBefore + text + [current])))
                state.atLineStart = true
                position += 1
                continue
            }
            if !text.isEmpty {
                nodes.append(.text(String(whitespaceBefore + text)))
                whitespaceBefore = []
                state.atLineStart = false
            }
            if atEnd { break }
            var standalone = false
            func flushWhitespace() {
                if !whitespaceBefore.isEmpty {
                    nodes.append(.text(String(whitespaceBefore)))
                    whitespaceBefore = []
                }
            }
            switch current {
            case "#", "^":
                let inverted = current == "^"
                position += 1
                let (name, transforms) = try readName(state)
                if endsStandaloneLine(state) { standalone = true } else { flushWhitespace() }
                let body = try parse(state: state.inSection(name, standalone: standalone, transforms: transforms))
                let path = MustachePath(name, transforms: transforms)
                nodes.append(inverted ? .invertedSection(path, body) : .section(path, body))
            case "/":
                position += 1
                let afterSlash = position
                let (name, transforms) = try readName(state)
                guard name == state.sectionName, transforms == state.sectionTransforms else {
                    position = afterSlash
                    throw .sectionCloseNameIncorrect
                }
                if !endsStandaloneLine(state) { flushWhitespace() }
                return nodes
            case "!":
                position += 1
                _ = try read(untilString: state.endDelimiter)
                standalone = endsStandaloneLine(state)
            case "{":
                flushWhitespace()
                position += 1
                let (name, transforms) = try readName(state)
                guard try read("}") else { throw .unfinishedName }
                nodes.append(.unescapedVariable(MustachePath(name, transforms: transforms)))
            case "&":
                flushWhitespace()
                position += 1
                let (name, transforms) = try readName(state)
                nodes.append(.unescapedVariable(MustachePath(name, transforms: transforms)))
            case ">":
                position += 1
                _ = read(while: \.isWhitespace)
                var dynamic = false
                if current == "*" {
                    position += 1
                    dynamic = true
                }
                let name = try readPartialName(state)
                if !whitespaceBefore.isEmpty { nodes.append(.text(String(whitespaceBefore))) }
                var indentation: String?
                if endsStandaloneLine(state) {
                    standalone = true
                    indentation = String(whitespaceBefore)
                }
                nodes.append(.partial(name, dynamic: dynamic, indentation: indentation, overrides: nil))
                whitespaceBefore = []
            case "<":
                position += 1
                _ = read(while: \.isWhitespace)
                let sectionName = try readPartialName(state)
                let dynamic = sectionName.first == "*"
                let name = dynamic ? String(sectionName.dropFirst()) : sectionName
                if !whitespaceBefore.isEmpty { nodes.append(.text(String(whitespaceBefore))) }
                standalone = endsStandaloneLine(state)
                let body = try parse(state: state.inParent(sectionName))
                var overrides: [String: [MustacheNode]] = [:]
                for node in body {
                    switch node {
                    case .blockDefinition(let block, let blockBody): overrides[block] = blockBody
                    case .text: break
                    default: throw .illegalTokenInsideInheritSection
                    }
                }
                nodes.append(.partial(name, dynamic: dynamic, indentation: String(whitespaceBefore), overrides: overrides))
                whitespaceBefore = []
            case "$":
                position += 1
                let (name, transforms) = try readName(state)
                guard transforms.isEmpty else { throw .transformAppliedToInheritanceSection }
                if state.atParentTopLevel {
                    standalone = endsStandaloneLine(state)
                    nodes.append(.blockDefinition(name, try parse(state: state.inSection(name, standalone: standalone))))
                } else {
                    if !whitespaceBefore.isEmpty { nodes.append(.text(String(whitespaceBefore))) }
                    standalone = endsStandaloneLine(state)
                    let body = try parse(state: state.inSection(name, standalone: standalone))
                    nodes.append(.block(name, body, indentation: String(whitespaceBefore)))
                    whitespaceBefore = []
                }
            case "=":
                position += 1
                state = try readDelimiters(state)
                standalone = endsStandaloneLine(state)
            case "%":
                position += 1
                try readPragma(state)
                nodes.append(.contentTypeHTML)
                standalone = endsStandaloneLine(state)
            default:
                flushWhitespace()
                let (name, transforms) = try readName(state)
                nodes.append(.variable(MustachePath(name, transforms: transforms)))
            }
            state.atLineStart = standalone
        }
        guard state.sectionName == nil else { throw .expectedSectionEnd }
        return nodes
    }

    /// Text up to the next opening delimiter (consumed) or line break (not consumed).
    private mutating func readTextUntilTagOrNewline(_ state: State) throws(MustacheSyntaxError) -> [Character] {
        guard let first = state.startDelimiter.first else { return [] }
        var text: [Character] = []
        while !atEnd {
            text += read(while: { $0 != "\n" && $0 != "\r\n" && $0 != first })
            if current.isNewline { break }
            if current == first {
                if try read(string: state.startDelimiter) { break }
                text.append(first)
                position += 1
            }
        }
        return text
    }

    private static let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
    private static let nameCharactersWithParentheses = nameCharacters.union("()")
    private static let partialNameCharacters = nameCharactersWithParentheses.union("/")

    /// A tag's name up to the closing delimiter; `b(a)` is the name `a` with the transform `b`.
    private mutating func readName(_ state: State) throws(MustacheSyntaxError) -> (String, [String]) {
        _ = read(while: \.isWhitespace)
        let text = read(while: { Self.nameCharactersWithParentheses.contains($0) })
        _ = read(while: \.isWhitespace)
        guard try read(string: state.endDelimiter) else { throw .unfinishedName }

        var index = 0
        func readNamePart() -> [Character] {
            let start = index
            while index < text.count, Self.nameCharacters.contains(text[index]) { index += 1 }
            return Array(text[start..<index])
        }
        let first = readNamePart()
        guard index < text.count else { return (String(text), []) }
        guard text[index] == "(" else { throw .unfinishedName }
        index += 1
        var transforms = [String(first)]
        while true {
            let part = readNamePart()
            let next: Character = index < text.count ? text[index] : "\0"
            if next == ")" {
                index += 1
                var closing = 0
                while index < text.count, text[index] == ")" { index += 1; closing += 1 }
                guard closing + 1 == transforms.count, index == text.count else { throw .unfinishedName }
                return (String(part), transforms)
            } else if next == "(" {
                index += 1
                transforms.append(String(part))
            } else {
                throw .unfinishedName
            }
        }
    }

    private mutating func readPartialName(_ state: State) throws(MustacheSyntaxError) -> String {
        _ = read(while: \.isWhitespace)
        let text = read(while: { Self.partialNameCharacters.contains($0) })
        _ = read(while: \.isWhitespace)
        guard try read(string: state.endDelimiter) else { throw .unfinishedName }
        return String(text)
    }

    private mutating func readDelimiters(_ state: State) throws(MustacheSyntaxError) -> State {
        _ = read(while: \.isWhitespace)
        guard let start = read(until: \.isWhitespace) else { throw .invalidSetDelimiter }
        _ = read(while: \.isWhitespace)
        guard let end = read(until: { $0 == "=" || $0.isWhitespace }) else { throw .invalidSetDelimiter }
        _ = read(while: \.isWhitespace)
        guard try read("=") else { throw .invalidSetDelimiter }
        guard try read(string: state.endDelimiter) else { throw .invalidSetDelimiter }
        guard !start.isEmpty, !end.isEmpty else { throw .invalidSetDelimiter }
        var changed = state
        changed.startDelimiter = start
        changed.endDelimiter = end
        changed.atParentTopLevel = false
        return changed
    }

    /// `{{% CONTENT_TYPE: HTML }}` is accepted (HTML is what every page is); `TEXT`, which
    /// would print report strings unescaped, is refused.
    private mutating func readPragma(_ state: State) throws(MustacheSyntaxError) {
        _ = read(while: \.isWhitespace)
        let variable = read(while: { Self.nameCharacters.contains($0) })
        _ = read(while: \.isWhitespace)
        guard !atEnd else { throw .invalidConfigVariableSyntax }
        guard current == ":" else { throw .invalidConfigVariableSyntax }
        position += 1
        _ = read(while: \.isWhitespace)
        let value = read(while: { Self.nameCharacters.contains($0) })
        _ = read(while: \.isWhitespace)
        guard remaining >= state.endDelimiter.count else { throw .invalidConfigVariableSyntax }
        guard (try? read(string: state.endDelimiter)) == true else { throw .invalidConfigVariableSyntax }
        guard !variable.isEmpty, !value.isEmpty else { throw .invalidConfigVariableSyntax }
        guard String(variable) == "CONTENT_TYPE" else { throw .unrecognisedConfigVariable }
        switch String(value) {
        case "HTML": return
        case "TEXT": throw .unescapedContentTypeRefused
        default: throw .unrecognisedConfigVariable
        }
    }

    /// True when only spaces or tabs and a line break (or the end) follow the tag on a line
    /// that held nothing before it; the rest of the line, line break included, is then skipped.
    private mutating func endsStandaloneLine(_ state: State) -> Bool {
        guard state.atLineStart else { return false }
        if atEnd { return true }
        var probe = position
        while probe < characters.count, characters[probe] == " " || characters[probe] == "\t" { probe += 1 }
        guard probe < characters.count, characters[probe].isNewline else { return false }
        position = probe + 1
        return true
    }

    // MARK: Reading characters

    private var atEnd: Bool { position == characters.count }
    private var remaining: Int { characters.count - position }
    private var current: Character { atEnd ? "\0" : characters[position] }

    private mutating func read(while matches: (Character) -> Bool) -> [Character] {
        let start = position
        while position < characters.count, matches(characters[position]) { position += 1 }
        return Array(characters[start..<position])
    }

    /// Up to the first character that matches, or nil (position unchanged) when none does.
    private mutating func read(until matches: (Character) -> Bool) -> [Character]? {
        let start = position
        while position < characters.count {
            if matches(characters[position]) { return Array(characters[start..<position]) }
            position += 1
        }
        position = start
        return nil
    }

    /// Whether the next characters are `string` (consumed when they are); running out of text
    /// first is an error, as it is in swift-mustache.
    private mutating func read(string: [Character]) throws(MustacheSyntaxError) -> Bool {
        guard !string.isEmpty else { return true }
        guard remaining >= string.count else { throw .overflow }
        guard characters[position..<position + string.count].elementsEqual(string) else { return false }
        position += string.count
        return true
    }

    private mutating func read(_ character: Character) throws(MustacheSyntaxError) -> Bool {
        guard !atEnd else { throw .overflow }
        guard characters[position] == character else { return false }
        position += 1
        return true
    }

    /// Skips past `string`; running out of text first is an error (position unchanged).
    private mutating func read(untilString string: [Character]) throws(MustacheSyntaxError) -> Bool {
        let start = position
        var matched = 0
        while !atEnd {
            if characters[position] == string[matched] {
                matched += 1
                if matched == string.count {
                    position += 1
                    return true
                }
            } else {
                matched = 0
            }
            position += 1
        }
        position = start
        throw .overflow
    }

    /// The line (1-based) and column of the position: lines counted by line-break characters,
    /// the column by characters since the last `\n`.
    private func lineAndColumn() -> (Int, Int) {
        var column = 0
        var index = position
        while index > 0 {
            index -= 1
            if characters[index] == "\n" { break }
            column += 1
        }
        let lines = characters[0..<position].reduce(0) { $0 + ($1.isNewline ? 1 : 0) }
        return (lines + 1, column + 1)
    }
}

/// Why a template does not parse; the names are swift-mustache's, which theme authors may
/// have seen in earlier reports.
enum MustacheSyntaxError: Error, CustomStringConvertible {
    case sectionCloseNameIncorrect
    case unfinishedName
    case expectedSectionEnd
    case invalidSetDelimiter
    case transformAppliedToInheritanceSection
    case illegalTokenInsideInheritSection
    case invalidConfigVariableSyntax
    case unrecognisedConfigVariable
    case unescapedContentTypeRefused
    case overflow

    var description: String {
        switch self {
        case .sectionCloseNameIncorrect: "sectionCloseNameIncorrect"
        case .unfinishedName: "unfinishedName"
        case .expectedSectionEnd: "expectedSectionEnd"
        case .invalidSetDelimiter: "invalidSetDelimiter"
        case .transformAppliedToInheritanceSection: "transformAppliedToInheritanceSection"
        case .illegalTokenInsideInheritSection: "illegalTokenInsideInheritSection"
        case .invalidConfigVariableSyntax: "invalidConfigVariableSyntax"
        case .unrecognisedConfigVariable: "unrecognisedConfigVariable"
        case .unescapedContentTypeRefused: "CONTENT_TYPE: TEXT would print values unescaped; templates are HTML"
        case .overflow: "overflow"
        }
    }
}
