/// The number written in decimal at `range` of `bytes`, or nil if any of those is not a digit: how
/// the stores read the fixed-width fields of the dates they keep.
func decimalNumber<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ range: Range<Int>) -> Int? where Bytes.Index == Int {
    var value = 0
    for index in range {
        let digit = Int(bytes[index]) - 48
        guard (0...9).contains(digit) else { return nil }
        value = value * 10 + digit
    }
    return value
}
