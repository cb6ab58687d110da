// Lexical rules of the policy language shared by the parser and the
// printer (docs/policy-language.md), so what the printer leaves unquoted is
// exactly what the parser reads back as one bare word.
#ifndef BIRTHRIGHT_SRC_LANG_SYNTAX_H_
#define BIRTHRIGHT_SRC_LANG_SYNTAX_H_

#include <string>
#include <string_view>

namespace birthright::lang {

// Characters that end a bare word (besides whitespace).
inline constexpr std::string_view kWordStops = ":[](),=\"#\\";

// Declaration keywords: a line whose first token is one of these (unquoted)
// starts a new declaration.
bool IsDeclarationKeyword(std::string_view word);

// Keywords that start a rule clause (`when`, `unless`, `priority`, ...).
bool IsClauseKeyword(std::string_view word);

// Any word the grammar gives a meaning to in a declaration; the printer
// quotes values spelled like one.
bool IsReservedWord(std::string_view word);

// True when `s` reads back as one bare word: non-empty, printable, no
// whitespace or stop characters, and not a reserved word.
bool IsBareWord(std::string_view s);

// `s` as a bare word when possible, else as a double-quoted string with
// `\"`, `\\`, `\n`, `\t` and `\r` escaped.
std::string QuoteToken(std::string_view s);

// Words the `when`/`unless` expression grammar reserves (predicate.h).
bool IsExprOperatorWord(std::string_view word);

}  // namespace birthright::lang

#endif  // BIRTHRIGHT_SRC_LANG_SYNTAX_H_
