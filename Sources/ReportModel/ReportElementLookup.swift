extension ReportElement {
    /// The element a packed local name names; `other` for any name a report is not read from
    /// (and for a name too long to pack).
    package init(packed name: PackedName?) {
        guard let name else {
            self = .other
            return
        }
        self = ReportElementNames.shared.element(of: name)
    }
}

/// Every known element name, packed, in an open-addressing table: a lookup mixes the three
/// words and compares them with the entry of one slot (rarely more).
package struct ReportElementNames: Sendable {
    /// Held by a reader for a whole document, so that a lookup reaches the table directly.
    package static let shared = ReportElementNames()

    private static let bits = 7

    /// Empty slots hold `other`; the table is less than a third full.
    private let slots: [(name: PackedName, element: ReportElement)]

    private init() {
        let size = 1 << Self.bits
        var slots = Array(repeating: (name: PackedName(words: (0, 0, 0)), element: ReportElement.other), count: size)
        var raw: UInt8 = 1
        while let element = ReportElement(rawValue: raw) {
            let utf8 = Array(element.name.utf8)
            if let name = utf8.withUnsafeBufferPointer({ PackedName($0) }) {
                var slot = name.slot(bits: Self.bits)
                while slots[slot].element != .other { slot = (slot + 1) & (size - 1) }
                slots[slot] = (name, element)
            }
            raw += 1
        }
        self.slots = slots
    }

    package func element(of name: PackedName) -> ReportElement {
        let mask = (1 << Self.bits) - 1
        var slot = name.slot(bits: Self.bits)
        while true {
            let entry = slots[slot]
            if entry.element == .other || entry.name == name { return entry.element }
            slot = (slot + 1) & mask
        }
    }
}
