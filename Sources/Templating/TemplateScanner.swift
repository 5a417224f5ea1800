/// Finds the Mustache tags of a template that the checks care about, with line and column.
///
/// A missing partial renders as nothing, so the checks read the tags themselves, column by
/// column, to name each reference that the theme cannot satisfy.
struct TemplateScanner {
    enum Kind: Equatable {
        case variable, unescaped, section, invertedSection, close, partial, parent, block, comment, delimiter
    }

    struct Tag: Equatable {
        var kind: Kind
        var name: String
        var line: Int
        var column: Int
    }

    static func tags(in text: String) -> [Tag] {
        var tags: [Tag] = []
        var line = 1
        var column = 1
        var index = text.startIndex
        while index < text.endIndex {
            if text[index...].hasPrefix("{{") {
                let isTriple = text[index...].hasPrefix("{{{")
                let open = text.index(index, offsetBy: isTriple ? 3 : 2)
                let closer = isTriple ? "}}}" : "}}"
                guard let close = text.range(of: closer, range: open..<text.endIndex) else { break }
                let body = text[open..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                tags.append(tag(body, triple: isTriple, line: line, column: column))
                for character in text[index..<close.upperBound] {
                    if character == "\n" { line += 1; column = 1 } else { column += 1 }
                }
                index = close.upperBound
                continue
            }
            if text[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index = text.index(after: index)
        }
        return tags
    }

    private static func tag(_ body: String, triple: Bool, line: Int, column: Int) -> Tag {
        if triple { return Tag(kind: .unescaped, name: body, line: line, column: column) }
        let sigil = body.first
        let rest = String(body.dropFirst()).trimmingCharacters(in: .whitespaces)
        let kind: Kind
        switch sigil {
        case "&": kind = .unescaped
        case "#": kind = .section
        case "^": kind = .invertedSection
        case "/": kind = .close
        case ">": kind = .partial
        case "<": kind = .parent
        case "$": kind = .block
        case "!": kind = .comment
        case "=": kind = .delimiter
        default: return Tag(kind: .variable, name: body, line: line, column: column)
        }
        return Tag(kind: kind, name: rest, line: line, column: column)
    }
}

import Foundation
