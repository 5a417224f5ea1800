import Foundation
import SiteBuild

/// Shows how a long step goes on standard error: one line rewritten in place on a terminal,
/// plain lines (every tenth of the work) otherwise, so logs stay readable.
final class ProgressPrinter: @unchecked Sendable {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var lastShown = Date.distantPast
    private var lastTenth = -1
    private var lineOpen = false

    func line(_ text: String) {
        lock.withLock {
            endLine()
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func step(_ progress: StepProgress) {
        lock.withLock {
            let finished = progress.done >= progress.total
            let rate = progress.elapsed > 0 ? Double(progress.done) / progress.elapsed : 0
            let remaining = rate > 0 ? Double(progress.total - progress.done) / rate : 0
            let text = "[\(progress.step)] \(progress.done)/\(progress.total) files, \(Int(rate)) files/s"
                + (finished ? String(format: ", %.1f s", progress.elapsed) : String(format: ", about %.0f s left", remaining.rounded(.up)))
            if isTerminal {
                guard finished || Date().timeIntervalSince(lastShown) >= 0.2 else { return }
                lastShown = Date()
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
                lineOpen = true
                if finished { endLine() }
            } else {
                let tenth = progress.total > 0 ? progress.done * 10 / progress.total : 10
                guard tenth > lastTenth else { return }
                lastTenth = tenth
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
        }
    }

    private func endLine() {
        if lineOpen {
            FileHandle.standardError.write(Data("\n".utf8))
            lineOpen = false
        }
    }
}
