/// Secret comparison whose duration does not depend on where the inputs first differ, so a caller
/// cannot find the token one byte at a time by timing wrong guesses.
enum ConstantTime {
    /// True when `candidate` equals `secret`. The loop always runs over the whole candidate; only
    /// the candidate's own length (which the caller already knows) shows in the timing.
    static func equals(_ candidate: String, _ secret: String) -> Bool {
        let candidateBytes = Array(candidate.utf8)
        let secretBytes = Array(secret.utf8)
        var difference: UInt8 = candidateBytes.count == secretBytes.count ? 0 : 1
        for (position, byte) in candidateBytes.enumerated() {
            let expected = secretBytes.isEmpty ? 0 : secretBytes[position % secretBytes.count]
            difference |= byte ^ expected
        }
        return difference == 0 && !secretBytes.isEmpty
    }
}
