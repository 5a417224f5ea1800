import Foundation
import ReportModel

/// The MIME transfer encodings and date format the synthetic report e-mails are written with.
enum MIMEText {
    /// Base64 in lines of 76 characters (RFC 2045 §6.8).
    static func base64Lines(_ data: Data) -> [String] {
        let encoded = data.base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    /// Quoted-printable (RFC 2045 §6.7): printable ASCII as it is, everything else and `=` as
    /// `=XX`, line breaks of the text kept as CRLF, soft breaks (`=`) before 76 characters.
    static func quotedPrintableLines(_ data: Data) -> [String] {
        var lines: [String] = []
        var line = ""
        func emit(_ token: String) {
            if line.count + token.count > 75 {
                lines.append(line + "=")
                line = ""
            }
            line += token
        }
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let isLineEnd = byte == 0x0A || (byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A)
            if isLineEnd {
                // Blanks before a hard line break would be lost in transport: encode the last one.
                if let last = line.last, last == " " || last == "\t" {
                    line.removeLast()
                    line += last == " " ? "=20" : "=09"
                }
                lines.append(line)
                line = ""
                index += byte == 0x0D ? 2 : 1
                continue
            }
            let printable = (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "=")
            emit(printable || byte == 0x20 || byte == 0x09 ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte))
            index += 1
        }
        if let last = line.last, last == " " || last == "\t" {
            line.removeLast()
            line += last == " " ? "=20" : "=09"
        }
        lines.append(line)
        return lines
    }

    /// RFC 5322 date in UTC: `Tue, 02 Jan 2024 05:04:03 +0000`.
    static func date(_ unixTime: Int64) -> String {
        let days = Int(unixTime >= 0 ? unixTime / 86_400 : (unixTime - 86_399) / 86_400)
        let seconds = Int(unixTime - Int64(days) * 86_400)
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][((days + 4) % 7 + 7) % 7]
        let monthName = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1]
        let time = String(format: "%02d:%02d:%02d", seconds / 3_600, seconds / 60 % 60, seconds % 60)
        return "\(weekday), \(String(format: "%02d", day)) \(monthName) \(year) \(time) +0000"
    }

    /// The date of an mbox `From ` line (asctime): `Tue Jan  2 05:04:03 2024`.
    static func asctime(_ unixTime: Int64) -> String {
        let days = Int(unixTime >= 0 ? unixTime / 86_400 : (unixTime - 86_399) / 86_400)
        let seconds = Int(unixTime - Int64(days) * 86_400)
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][((days + 4) % 7 + 7) % 7]
        let monthName = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1]
        let time = String(format: "%02d:%02d:%02d", seconds / 3_600, seconds / 60 % 60, seconds % 60)
        return "\(weekday) \(monthName) \(String(format: "%2d", day)) \(time) \(year)"
    }
}
