// Spreadsheet → policy language migration (`birthright migrate`;
// docs/policy-language.md). Every rewrite here keeps every person's
// decision unchanged; tests/lang/migrate_test.cc checks that against the
// reference evaluator on random policies and populations.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "birthright/policy_text.h"
#include "util/text.h"

namespace birthright {
namespace {

std::string BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1));
}

std::string Origin(const Rule& r) {
  return BaseName(r.location.file) + ":" + std::to_string(r.location.line);
}

class Migrator {
 public:
  explicit Migrator(const Policy& in) : in_(in) {
    for (const AttributeSpec& s : in.schema) {
      spelling_.emplace(FoldName(s.name), s.name);
      case_sensitive_[FoldName(s.name)] = s.case_sensitive;
    }
    for (const Alias& a : in.aliases) {
      const std::string f = FoldName(a.attribute);
      const bool cs = CaseSensitive(f);
      aliases_[f].emplace(NormalizeValue(a.alias, cs), a.canonical);
    }
  }

  MigrationResult Run() {
    out_.policy = in_;
    Policy& p = out_.policy;
    p.rules.clear();
    for (Alias& a : p.aliases) Respell(&a.attribute, false);
    std::map<std::string, size_t> first_by_key;
    std::vector<std::vector<std::string>> merged_notes;
    for (const Rule& original : in_.rules) {
      Rule r = original;
      current_ = Origin(r) + " rule " + r.id;
      for (Condition& c : r.conditions) {
        Respell(&c.attribute, true);
        Canonicalize(c.attribute, &c.predicate);
        c.text = FormatPredicate(c.predicate);
      }
      if (r.unless) {
        RewriteExpr(&*r.unless);
        r.unless_text = FormatExpr(*r.unless);
      }
      if (r.expires.kind == Expiry::Kind::kAttribute) {
        Respell(&r.expires.attribute, true);
      }
      for (Target& t : r.targets) CatalogSpelling(&t);
      const std::string key = DuplicateKey(r);
      auto [it, inserted] = first_by_key.emplace(key, p.rules.size());
      if (!inserted) {
        const Rule& kept = p.rules[it->second];
        merged_notes[it->second].push_back("# merged exact duplicate: rule " +
                                           r.id + " from " + Origin(r));
        out_.changes.push_back(current_ + ": exact duplicate of rule " +
                               kept.id + " (" + Origin(kept) + "); merged");
        ++out_.rules_merged;
        continue;
      }
      p.rules.push_back(std::move(r));
      merged_notes.emplace_back();
    }
    out_.comments.rules.resize(p.rules.size());
    for (size_t i = 0; i < p.rules.size(); ++i) {
      std::vector<std::string>& c = out_.comments.rules[i];
      c.push_back("# from " + Origin(p.rules[i]));
      c.insert(c.end(), merged_notes[i].begin(), merged_notes[i].end());
    }
    return std::move(out_);
  }

 private:
  bool CaseSensitive(const std::string& folded) const {
    auto it = case_sensitive_.find(folded);
    return it != case_sensitive_.end() && it->second;
  }

  void Note(const std::string& what) {
    out_.changes.push_back(current_ + ": " + what);
  }

  // The schema's spelling of an attribute (same folded name).
  void Respell(std::string* attr, bool note) {
    auto it = spelling_.find(FoldName(*attr));
    if (it == spelling_.end() || it->second == *attr) return;
    if (note) {
      Note("attribute '" + *attr + "' spelled '" + it->second +
           "' as in the schema");
    }
    *attr = it->second;
    ++out_.names_respelled;
  }

  // Alias literals of any-of / none-of take the canonical spelling (one
  // step: not when the canonical value is itself an alias).
  void Canonicalize(const std::string& attr, Predicate* p) {
    if (p->op != PredicateOp::kAnyOf && p->op != PredicateOp::kNoneOf) return;
    const std::string f = FoldName(attr);
    const bool cs = CaseSensitive(f);
    auto al = aliases_.find(f);
    std::vector<std::string> values;
    std::set<std::string> seen;
    for (const std::string& v : p->values) {
      std::string nv = v;
      if (al != aliases_.end()) {
        auto hit = al->second.find(NormalizeValue(v, cs));
        if (hit != al->second.end() &&
            !al->second.count(NormalizeValue(hit->second, cs))) {
          nv = hit->second;
          Note(attr + " value '" + v + "' written as its canonical value '" +
               nv + "' (alias)");
          ++out_.values_canonicalized;
        }
      }
      if (!seen.insert(NormalizeValue(nv, cs)).second) {
        Note(attr + " value '" + v + "' listed twice; kept once");
        continue;
      }
      values.push_back(std::move(nv));
    }
    p->values = std::move(values);
  }

  void RewriteExpr(Expr* e) {
    if (e->kind == Expr::Kind::kPredicate) {
      Respell(&e->attribute, true);
      Canonicalize(e->attribute, &e->predicate);
      return;
    }
    for (Expr& c : e->children) RewriteExpr(&c);
    // A one-child and/or (built by hand; no parser makes one) is its
    // child: the language prints it so, and the hash must agree.
    if ((e->kind == Expr::Kind::kAnd || e->kind == Expr::Kind::kOr) &&
        e->children.size() == 1) {
      Expr only = std::move(e->children[0]);
      *e = std::move(only);
    }
  }

  void Fix(std::string* name, const std::string& canonical,
           std::string_view what) {
    if (*name == canonical) return;
    Note(std::string(what) + " '" + *name + "' spelled '" + canonical +
         "' as in the catalog");
    *name = canonical;
    ++out_.names_respelled;
  }

  void CatalogSpelling(Target* t) {
    const std::string app = std::string(TrimWhitespace(t->app));
    const std::string inst = std::string(TrimWhitespace(t->instance));
    const std::string level = std::string(TrimWhitespace(t->level));
    const CatalogEntry* entry = nullptr;
    const CatalogEntry* any_of_app = nullptr;
    int entries_of_app = 0;
    for (const CatalogEntry& e : in_.catalog) {
      if (!EqualsIgnoreCase(TrimWhitespace(e.app), app)) continue;
      ++entries_of_app;
      if (any_of_app == nullptr) any_of_app = &e;
      if (EqualsIgnoreCase(TrimWhitespace(e.instance), inst)) entry = &e;
    }
    if (any_of_app == nullptr) return;  // Unknown app: `check` reports it.
    Fix(&t->app, any_of_app->app, "app");
    if (entry != nullptr && !inst.empty()) {
      Fix(&t->instance, entry->instance, "instance");
    }
    if (entry == nullptr && inst.empty() && entries_of_app == 1) {
      entry = any_of_app;
    }
    if (level.empty()) return;
    // A deny without an instance covers every instance: take the spelling
    // from whichever instance lists the level.
    for (const CatalogEntry& e : in_.catalog) {
      if (entry != nullptr ? &e != entry
                           : !EqualsIgnoreCase(TrimWhitespace(e.app), app)) {
        continue;
      }
      for (const std::string& l : e.levels) {
        if (EqualsIgnoreCase(TrimWhitespace(l), level)) {
          Fix(&t->level, l, "level");
          return;
        }
      }
    }
  }

  // Rules with equal keys are exact duplicates: the content hash of the
  // rule alone (values normalized as SPEC §9 does), plus the exact scope
  // spellings, which show in output.
  std::string DuplicateKey(const Rule& r) const {
    Policy one;
    one.schema = in_.schema;
    one.rules.push_back(r);
    one.rules.back().id.clear();
    std::string key = PolicyContentHash(one);
    for (const Target& t : r.targets) {
      key += "\x1e";
      for (const std::string& s : t.scopes) key += s + "\x1f";
    }
    return key;
  }

  const Policy& in_;
  MigrationResult out_;
  std::string current_;
  std::map<std::string, std::string> spelling_;
  std::map<std::string, bool> case_sensitive_;
  std::map<std::string, std::map<std::string, std::string>> aliases_;
};

}  // namespace

MigrationResult MigratePolicy(const Policy& imported) {
  return Migrator(imported).Run();
}

}  // namespace birthright
