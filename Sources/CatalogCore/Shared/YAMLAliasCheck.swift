// CYaml is the libyaml that Yams builds and wraps; it is importable because Yams depends on it.
import CYaml
import Foundation

/// Finds YAML anchors and aliases before any tree is built. Yams resolves an alias by sharing
/// the anchored node, and then hashes mapping keys and walks values in full, so a few hundred
/// bytes of nested aliases (a "billion laughs" file) can take gigabytes or hours. libyaml's
/// event stream names every anchor and alias without expanding anything.
enum YAMLAliasCheck {
    /// The 1-based line of the first anchor or alias in `text`, or nil if it has none (or if
    /// the text does not parse: Yams then reports the syntax error with its line).
    static func firstAnchorOrAliasLine(in text: String) -> Int? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Int? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                // yaml_parser_parse fills `event`; each one is freed with yaml_event_delete.
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT: return nil
                case YAML_ALIAS_EVENT: return line
                case YAML_SCALAR_EVENT where event.data.scalar.anchor != nil: return line
                case YAML_SEQUENCE_START_EVENT where event.data.sequence_start.anchor != nil: return line
                case YAML_MAPPING_START_EVENT where event.data.mapping_start.anchor != nil: return line
                default: continue
                }
            }
            return nil
        }
    }
}
