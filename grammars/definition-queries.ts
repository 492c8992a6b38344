// Per grammar, the Tree-sitter query that finds the definitions a file is chunked by. Captures:
//   @definition.<kind>  the definition's node(s) (several in one match span from the first to the last);
//                       <kind> is the word shown in the symbol path: `class Foo > method bar`
//   @name               its name (several: `a = b`, for `a = b = function`); @receiver reads `receiver.name` (Go's
//                       `Greeter.Greet`, JS's `Object.defineProperty(req, 'host', …)`); @trait reads `impl Trait for Type`.
//                       Without @name, the definition node's `name` field is its name: constraining a field in the
//                       pattern can make a query slow to compile (Swift's function_declaration: ~2 s).
// Captures starting with `_` only serve predicates.

/**
 * JavaScript's and TypeScript's functions that are not declarations: assigned to a property (`res.type = function`,
 * `res.contentType = res.type = function`), defined as getters (`Object.defineProperty(req, 'host', { get: … })`,
 * `defineGetter(req, 'protocol', function …)`), and object-literal methods.
 */
const assignedFunctions = `
(expression_statement (assignment_expression left: (member_expression) @name right: [(arrow_function) (function_expression)])) @definition.function
(expression_statement (assignment_expression left: (member_expression) @name right: (assignment_expression left: (member_expression) @name right: [(arrow_function) (function_expression)]))) @definition.function
(expression_statement (call_expression
  function: (member_expression object: (identifier) @_object property: (property_identifier) @_method)
  arguments: (arguments . (_) @receiver . (string (string_fragment) @name) . (object [(pair value: [(function_expression) (arrow_function)]) (method_definition)])))
  (#eq? @_object "Object") (#eq? @_method "defineProperty")) @definition.property
(expression_statement (call_expression arguments: (arguments . [(identifier) (member_expression) (this)] @receiver . (string (string_fragment) @name) . [(function_expression) (arrow_function)] .))) @definition.property
(pair key: (property_identifier) @name value: [(function_expression) (arrow_function)]) @definition.method`;

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
${assignedFunctions}`;

const javascript = `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (identifier) @name) @definition.class
(method_definition name: (_) @name) @definition.method
(field_definition property: (_) @name value: [(arrow_function) (function_expression)]) @definition.method
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (class)])) @definition.function
(variable_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (class)])) @definition.function
${assignedFunctions}`;

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

const clojure = `
(list_lit . (sym_lit name: (sym_name) @_keyword) . (sym_lit name: (sym_name) @name) (#any-of? @_keyword "defn" "defn-")) @definition.defn
(list_lit . (sym_lit name: (sym_name) @_keyword) . (sym_lit name: (sym_name) @name) (#eq? @_keyword "defmacro")) @definition.macro
(list_lit . (sym_lit name: (sym_name) @_keyword) . (sym_lit name: (sym_name) @name) (#any-of? @_keyword "def" "defonce")) @definition.def
(list_lit . (sym_lit name: (sym_name) @_keyword) . (sym_lit name: (sym_name) @name) (#any-of? @_keyword "defmulti" "defmethod")) @definition.multi
(list_lit . (sym_lit name: (sym_name) @_keyword) . (sym_lit name: (sym_name) @name) (#any-of? @_keyword "defprotocol" "definterface")) @definition.protocol
(list_lit . (sym_lit name: (sym_name) @_keyword) . (sym_lit name: (sym_name) @name) (#any-of? @_keyword "defrecord" "deftype")) @definition.record
(list_lit . (sym_lit name: (sym_name) @_keyword) . (sym_lit name: (sym_name) @name) (#eq? @_keyword "ns")) @definition.ns
`;

// A type annotation is part of the function it annotates.
const elm = `
(value_declaration (function_declaration_left . (lower_case_identifier) @name)) @definition.function
((type_annotation) @definition.function . (value_declaration (function_declaration_left . (lower_case_identifier) @name)) @definition.function)
(type_declaration name: (upper_case_identifier) @name) @definition.type
(type_alias_declaration name: (upper_case_identifier) @name) @definition.alias
(port_annotation name: (lower_case_identifier) @name) @definition.port
`;

const gleam = `
(function name: (identifier) @name) @definition.fn
((attribute) @definition.fn . (function name: (identifier) @name) @definition.fn)
(type_definition (type_name name: (type_identifier) @name)) @definition.type
(type_alias (type_name name: (type_identifier) @name)) @definition.type
(constant name: (identifier) @name) @definition.const
`;

// Terraform's blocks read as their address (`resource aws_s3_bucket.logs`, `variable region`); other blocks (Nomad,
// Packer, nested ones) as `block job`.
const hcl = `
(block (identifier) @_keyword . (string_lit (template_literal) @receiver) . (string_lit (template_literal) @name) (#eq? @_keyword "resource")) @definition.resource
(block (identifier) @_keyword . (string_lit (template_literal) @receiver) . (string_lit (template_literal) @name) (#eq? @_keyword "data")) @definition.data
(block (identifier) @_keyword . (string_lit (template_literal) @name) (#eq? @_keyword "variable")) @definition.variable
(block (identifier) @_keyword . (string_lit (template_literal) @name) (#eq? @_keyword "output")) @definition.output
(block (identifier) @_keyword . (string_lit (template_literal) @name) (#eq? @_keyword "module")) @definition.module
(block (identifier) @_keyword . (string_lit (template_literal) @name) (#eq? @_keyword "provider")) @definition.provider
(block (identifier) @name (#not-any-of? @name "resource" "data" "variable" "output" "module" "provider")) @definition.block
`;

// Bindings of functions and of attribute sets (packages, modules, shells); plain values merge into the text around them.
const nix = `
(binding attrpath: (_) @name expression: (function_expression)) @definition.function
(binding attrpath: (_) @name expression: [(attrset_expression) (rec_attrset_expression) (let_expression) (apply_expression argument: (attrset_expression))]) @definition.attr
`;

const perl = `
(function_definition name: (identifier) @name) @definition.sub
(package_statement (package_name) @name) @definition.package
`;

const r = `
(binary_operator lhs: (identifier) @name rhs: (function_definition)) @definition.function
(binary_operator lhs: (identifier) @name rhs: (call function: (identifier) @_class (#any-of? @_class "R6Class" "setRefClass"))) @definition.class
(call function: (identifier) @_class (#any-of? @_class "setClass" "setRefClass" "setGeneric")
  arguments: (arguments . (argument value: (string (string_content) @name)))) @definition.class
`;

// Sections nest by containment: `section {Methods} > subsection {Data}`. The whole braced title is the name: naming the
// text inside compiled twice as slowly (52 ms vs 23 ms of CPU) and kept only the title's first word or command.
const latex = `
(part text: (curly_group) @name) @definition.part
(chapter text: (curly_group) @name) @definition.chapter
(section text: (curly_group) @name) @definition.section
(subsection text: (curly_group) @name) @definition.subsection
(subsubsection text: (curly_group) @name) @definition.subsubsection
(new_command_definition declaration: (_ (command_name) @name)) @definition.command
(environment_definition name: (_ (_) @name)) @definition.environment
`;

const gdscript = `
(function_definition name: (name) @name) @definition.func
(class_definition name: (name) @name) @definition.class
(enum_definition name: (name) @name) @definition.enum
`;

// A top-level function is its type signature (constructors and fields are signatures too). Its clauses are sibling nodes
// that no query tells from the next signature (`(lhs (atom))` does not compile): they join the signature's chunk as the
// lines after it.
const agda = `
(source_file (function (lhs (function_name) @name)) @definition.function)
(data (data_name) @name) @definition.data
(record (record_name) @name) @definition.record
(module (module_name) @name) @definition.module
`;

const properties = `
(property (key) @name) @definition.key
`;

// Queries have no names: they read as their form, e.g. `select`.
const sparql = `
(prefix_declaration (namespace) @name) @definition.prefix
(select_query) @definition.select
(construct_query) @definition.construct
(describe_query) @definition.describe
(ask_query) @definition.ask
`;

const talon = `
(command_declaration left: (rule) @name) @definition.command
(settings_declaration) @definition.settings
`;

// Tree-sitter's own query files: each top-level pattern, named by its first node type.
const query = `
(program (named_node name: (identifier) @name) @definition.pattern)
(program (grouping . (named_node name: (identifier) @name)) @definition.pattern)
(program (list . (named_node name: (identifier) @name)) @definition.pattern)
`;

const xml = `
(element (STag (Name) @name)) @definition.element
`;

// An element and the attribute lists right after it are one definition.
const dtd = `
((elementdecl . (Name) @name) @definition.element . (AttlistDecl)* @definition.element)
(GEDecl . (Name) @name) @definition.entity
(PEDecl . (Name) @name) @definition.entity
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
  clojure,
  elm,
  gleam,
  hcl,
  nix,
  perl,
  r,
  latex,
  gdscript,
  agda,
  properties,
  sparql,
  talon,
  query,
  xml,
  dtd,
};
