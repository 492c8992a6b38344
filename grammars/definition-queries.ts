// Per grammar, the Tree-sitter query that finds the definitions a file is chunked by. Captures:
//   @definition.<kind>  the definition's node(s) (several in one match span from the first to the last);
//                       <kind> is the word shown in the symbol path: `class Foo > method bar`
//   @name               its name (several: `a = b`, for `a = b = function`); @receiver reads `receiver.name` (Go's
//                       `Greeter.Greet`, JS's `Object.defineProperty(req, 'host', …)`); @trait reads `impl Trait for Type`.
//                       Without @name, the definition node's `name` field is its name: constraining a field in the
//                       pattern can make a query slow to compile (Swift's function_declaration: ~2 s).
// Captures starting with `_` only serve predicates.

const typescript = `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(function_signature name: (identifier) @name) @definition.function
(class_declaration name: (type_identifier) @name) @definition.class
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(internal_module name: (_) @name) @definition.namespace
(module name: (_) @name) @definition.module
(method_definition name: (_) @name) @definition.method
(public_field_definition name: (_) @name value: [(arrow_function) (function_expression)]) @definition.method
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @definition.function
(expression_statement (assignment_expression left: (member_expression) @name right: [(arrow_function) (function_expression)])) @definition.function
(expression_statement (assignment_expression left: (member_expression) @name right: (assignment_expression left: (member_expression) @name right: [(arrow_function) (function_expression)]))) @definition.function
(expression_statement (call_expression
  function: (member_expression object: (identifier) @_object property: (property_identifier) @_method)
  arguments: (arguments . (_) @receiver . (string (string_fragment) @name) . (object [(pair value: [(function_expression) (arrow_function)]) (method_definition)])))
  (#eq? @_object "Object") (#eq? @_method "defineProperty")) @definition.property
(expression_statement (call_expression arguments: (arguments . [(identifier) (member_expression) (this)] @receiver . (string (string_fragment) @name) . [(function_expression) (arrow_function)] .))) @definition.property
(pair key: (property_identifier) @name value: [(function_expression) (arrow_function)]) @definition.method
`;

const javascript = `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (identifier) @name) @definition.class
(method_definition name: (_) @name) @definition.method
(field_definition property: (_) @name value: [(arrow_function) (function_expression)]) @definition.method
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (class)])) @definition.function
(variable_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (class)])) @definition.function
(expression_statement (assignment_expression left: (member_expression) @name right: [(arrow_function) (function_expression)])) @definition.function(expression_statement (assignment_expression left: (member_expression) @name right: (assignment_expression left: (member_expression) @name right: [(arrow_function) (function_expression)]))) @definition.function
(expression_statement (call_expression
  function: (member_expression object: (identifier) @_object property: (property_identifier) @_method)
  arguments: (arguments . (_) @receiver . (string (string_fragment) @name) . (object [(pair value: [(function_expression) (arrow_function)]) (method_definition)])))
  (#eq? @_object "Object") (#eq? @_method "defineProperty")) @definition.property
(expression_statement (call_expression arguments: (arguments . [(identifier) (member_expression) (this)] @receiver . (string (string_fragment) @name) . [(function_expression) (arrow_function)] .))) @definition.property
(pair key: (property_identifier) @name value: [(function_expression) (arrow_function)]) @definition.method
`;

const python = `
(decorated_definition definition: (class_definition name: (identifier) @name)) @definition.class
(decorated_definition definition: (function_definition name: (identifier) @name)) @definition.function
(class_definition name: (identifier) @name) @definition.class
(function_definition name: (identifier) @name) @definition.function
`;

const go = `
(function_declaration name: (identifier) @name) @definition.func
(method_declaration
  receiver: (parameter_list (parameter_declaration type: [
    (type_identifier) @receiver
    (pointer_type (type_identifier) @receiver)
    (generic_type type: (type_identifier) @receiver)
    (pointer_type (generic_type type: (type_identifier) @receiver))]))
  name: (field_identifier) @name) @definition.method
(type_declaration (type_spec name: (type_identifier) @name type: (struct_type))) @definition.struct
(type_declaration (type_spec name: (type_identifier) @name type: (interface_type))) @definition.interface
`;

const rust = `
(function_item name: (identifier) @name) @definition.fn
(function_signature_item name: (identifier) @name) @definition.fn
(struct_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(union_item name: (type_identifier) @name) @definition.union
(trait_item name: (type_identifier) @name) @definition.trait
(impl_item trait: (_)? @trait type: (_) @name) @definition.impl
(mod_item name: (identifier) @name body: (_)) @definition.mod
(macro_definition name: (identifier) @name) @definition.macro
`;

const java = `
(class_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.record
(annotation_type_declaration name: (identifier) @name) @definition.annotation
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.constructor
`;

const c = `
(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition.function
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.union
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
`;

const cpp = `
(function_definition declarator: (function_declarator declarator: (_) @name)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name))) @definition.function
(function_definition declarator: (reference_declarator (function_declarator declarator: (_) @name))) @definition.function
(class_specifier name: (_) @name body: (_)) @definition.class
(struct_specifier name: (_) @name body: (_)) @definition.struct
(union_specifier name: (_) @name body: (_)) @definition.union
(enum_specifier name: (_) @name body: (_)) @definition.enum
(namespace_definition name: (_) @name) @definition.namespace
`;

const csharp = `
(class_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.record
(namespace_declaration name: (_) @name) @definition.namespace
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.constructor
`;

const ruby = `
(class name: (_) @name) @definition.class
(module name: (_) @name) @definition.module
(method name: (_) @name) @definition.def
(singleton_method name: (_) @name) @definition.def
`;

const php = `
(class_declaration name: (name) @name) @definition.class
(interface_declaration name: (name) @name) @definition.interface
(trait_declaration name: (name) @name) @definition.trait
(enum_declaration name: (name) @name) @definition.enum
(function_definition name: (name) @name) @definition.function
(method_declaration name: (name) @name) @definition.method
`;

const kotlin = `
(class_declaration (type_identifier) @name) @definition.class
(object_declaration (type_identifier) @name) @definition.object
(function_declaration (simple_identifier) @name) @definition.fun
`;

const swift = `
(class_declaration) @definition.class
(protocol_declaration) @definition.protocol
(function_declaration) @definition.func
`;

const scala = `
(class_definition name: (_) @name) @definition.class
(object_definition name: (_) @name) @definition.object
(trait_definition name: (_) @name) @definition.trait
(function_definition name: (_) @name) @definition.def
`;

const bash = `
(function_definition name: (word) @name) @definition.function
`;

const lua = `
(function_declaration name: (_) @name) @definition.function
`;

const dart = `
(class_definition name: (identifier) @name) @definition.class
(mixin_declaration (identifier) @name) @definition.mixin
(extension_declaration name: (identifier) @name) @definition.extension
(enum_declaration name: (identifier) @name) @definition.enum
((function_signature name: (identifier) @name) @definition.function . (function_body) @definition.function)
((method_signature (function_signature name: (identifier) @name)) @definition.method . (function_body) @definition.method)
`;

const elixir = `
(call target: (identifier) @_keyword (#eq? @_keyword "defmodule") (arguments (alias) @name)) @definition.module
(call target: (identifier) @_keyword (#any-of? @_keyword "def" "defp" "defmacro" "defmacrop")
  (arguments [(identifier) @name (call target: (identifier) @name) (binary_operator left: (call target: (identifier) @name))])) @definition.def
`;

const haskell = `
(function name: (variable) @name) @definition.function
(data_type name: (_) @name) @definition.data
(newtype name: (_) @name) @definition.newtype
(class name: (_) @name) @definition.class
(instance name: (_) @name) @definition.instance
`;

const zig = `
(function_declaration name: (identifier) @name) @definition.fn
`;

const html = `
(element (start_tag (tag_name) @name)) @definition.element
(script_element) @definition.script
(style_element) @definition.style
`;

const css = `
(rule_set (selectors) @name) @definition.rule
(media_statement) @definition.media
(keyframes_statement (keyframes_name) @name) @definition.keyframes
`;

const json = `
(document (object (pair key: (_) @name) @definition.key))
`;

const yaml = `
(stream (document (block_node (block_mapping (block_mapping_pair key: (_) @name) @definition.key))))
`;

/** Keyed by grammar (the wasm file's stem). */
export const definitionQueries: Record<string, string> = {
  typescript,
  tsx: typescript,
  javascript,
  python,
  go,
  rust,
  java,
  c,
  cpp,
  c_sharp: csharp,
  ruby,
  php,
  kotlin,
  swift,
  scala,
  bash,
  lua,
  dart,
  elixir,
  haskell,
  zig,
  html,
  css,
  scss: css,
  json,
  yaml,
};
