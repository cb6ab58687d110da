// Verified snapshot loading (see snapshot.h and docs/snapshot-format.md).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <span>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "birthright/snapshot.h"
#include "compile/dag.h"
#include "re2/re2.h"
#include "snapshot/snapshot_internal.h"
#include "snapshot_generated.h"
#include "util/hash.h"

namespace birthright {

using snapshot_internal::kTrailer;
using snapshot_internal::kTrailerMagic;

namespace {

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

bool LooksLikeSnapshot(std::string_view bytes) {
  return bytes.size() >= 8 && bytes.substr(4, 4) == "BRSN";
}

// Merge parts are copied from the buffer whole, so the stored struct and
// the evaluator's must agree byte for byte (FlatBuffers structs are
// little-endian; so is every machine this library builds for).
using ImplPart = CompiledPolicy::Impl::MergePart;
static_assert(sizeof(fb::MergePart) == sizeof(ImplPart));
static_assert(offsetof(ImplPart, instance) == 0 &&
              offsetof(ImplPart, level) == 4 &&
              offsetof(ImplPart, priority) == 8 &&
              offsetof(ImplPart, expiry_literal) == 12 &&
              offsetof(ImplPart, reasons_begin) == 16 &&
              offsetof(ImplPart, reasons_count) == 20 &&
              offsetof(ImplPart, scopes_begin) == 24 &&
              offsetof(ImplPart, scopes_count) == 28 &&
              offsetof(ImplPart, attrs_begin) == 32 &&
              offsetof(ImplPart, attrs_count) == 36 &&
              offsetof(ImplPart, never_expires) == 40);
static_assert(std::endian::native == std::endian::little);
// So are the leaf entitlements, the rules' formula ranges and the
// explanation index.
static_assert(sizeof(fb::LeafEntitlement) == sizeof(LeafEntitlement) &&
              offsetof(LeafEntitlement, instance) == 0 &&
              offsetof(LeafEntitlement, level) == 4 &&
              offsetof(LeafEntitlement, scopes_begin) == 8 &&
              offsetof(LeafEntitlement, scopes_count) == 12 &&
              offsetof(LeafEntitlement, reasons_begin) == 16 &&
              offsetof(LeafEntitlement, reasons_count) == 20 &&
              offsetof(LeafEntitlement, never_expires) == 24 &&
              offsetof(LeafEntitlement, expiry_literal) == 28 &&
              offsetof(LeafEntitlement, expiry_attrs_begin) == 32 &&
              offsetof(LeafEntitlement, expiry_attrs_count) == 36);
static_assert(sizeof(fb::RuleRanges) == sizeof(RuleInfo) &&
              offsetof(RuleInfo, cond_begin) == 0 &&
              offsetof(RuleInfo, cond_count) == 4 &&
              offsetof(RuleInfo, unless_atoms_begin) == 8 &&
              offsetof(RuleInfo, unless_atoms_count) == 12 &&
              offsetof(RuleInfo, missing_begin) == 16 &&
              offsetof(RuleInfo, missing_count) == 20 &&
              offsetof(RuleInfo, unless_begin) == 24 &&
              offsetof(RuleInfo, unless_count) == 28);
using ImplExplainAttr = CompiledPolicy::Impl::ExplainAttr;
using ImplExplainGuard = CompiledPolicy::Impl::ExplainGuard;
static_assert(sizeof(fb::ExplainAttr) == sizeof(ImplExplainAttr) &&
              offsetof(ImplExplainAttr, guards_begin) == 0 &&
              offsetof(ImplExplainAttr, guards_count) == 4 &&
              offsetof(ImplExplainAttr, unguarded_at) == 8 &&
              offsetof(ImplExplainAttr, unguarded_count) == 12);
static_assert(sizeof(fb::ExplainGuard) == sizeof(ImplExplainGuard) &&
              offsetof(ImplExplainGuard, var) == 0 &&
              offsetof(ImplExplainGuard, begin_at) == 4 &&
              offsetof(ImplExplainGuard, rules_at) == 8);

class SnapshotReader {
 public:
  SnapshotReader(std::string_view bytes, const SnapshotLimits& limits)
      : bytes_(bytes), limits_(limits) {}

  absl::StatusOr<const fb::Snapshot*> Verify() {
    if (static_cast<int64_t>(bytes_.size()) > limits_.max_bytes) {
      return absl::ResourceExhaustedError(
          "snapshot is larger than the limit of " +
          std::to_string(limits_.max_bytes) + " bytes");
    }
    if (bytes_.size() < kTrailer + 8) {
      return absl::DataLossError(
          "snapshot truncated: " + std::to_string(bytes_.size()) +
          " bytes is shorter than any snapshot");
    }
    const char* trailer = bytes_.data() + bytes_.size() - kTrailer;
    if (!LooksLikeSnapshot(bytes_) && GetU32(trailer + 8) != kTrailerMagic) {
      return absl::InvalidArgumentError(
          "not a birthright snapshot (no 'BRSN' identifier); expected the "
          "output of "
          "`birthright compile -o`");
    }
    if (GetU32(trailer + 8) != kTrailerMagic) {
      return absl::DataLossError(
          "snapshot truncated or damaged: trailer missing");
    }
    const uint32_t length = GetU32(trailer);
    if (length != bytes_.size() - kTrailer) {
      return absl::DataLossError(
          "snapshot truncated or extended: header says " +
          std::to_string(length) + " bytes, found " +
          std::to_string(bytes_.size() - kTrailer));
    }
    buffer_ = bytes_.substr(0, length);
    if (Crc32c(buffer_) != GetU32(trailer + 4)) {
      return absl::DataLossError(
          "snapshot checksum mismatch: the bytes are corrupt");
    }
    if (!LooksLikeSnapshot(buffer_)) {
      return absl::InvalidArgumentError(
          "not a birthright snapshot (no 'BRSN' identifier)");
    }
    // FlatBuffers wants the buffer aligned (8 bytes for its widest
    // scalars); copy into aligned storage only when it is not (heap strings
    // and mapped files are).
    const uint8_t* data = reinterpret_cast<const uint8_t*>(buffer_.data());
    if (reinterpret_cast<uintptr_t>(data) % 8 != 0) {
      aligned_.assign(data, data + buffer_.size());
      data = aligned_.data();
    }
    flatbuffers::Verifier verifier(data, buffer_.size(), limits_.max_depth,
                                   limits_.max_tables);
    if (!fb::VerifySnapshotBuffer(verifier)) {
      return absl::DataLossError("snapshot failed FlatBuffers verification");
    }
    const fb::Snapshot* s = fb::GetSnapshot(data);
    if (s->format_version() > kSnapshotFormatVersion) {
      return absl::FailedPreconditionError(
          "snapshot format " + std::to_string(s->format_version()) +
          " is newer than this "
          "library reads (" +
          std::to_string(kSnapshotFormatVersion) + "); written by birthright " +
          (s->library_version() ? s->library_version()->str() : "?"));
    }
    if (s->format_version() == 0) return Corrupt("format version 0");
    return s;
  }

  absl::StatusOr<std::unique_ptr<CompiledPolicy>> Decode(const fb::Snapshot& s);

 private:
  static absl::Status Corrupt(const std::string& what) {
    return absl::DataLossError("snapshot is inconsistent: " + what);
  }
  bool Str(const flatbuffers::String* s, std::string* out) {
    if (s == nullptr) {
      out->clear();
      return true;
    }
    out->assign(s->c_str(), s->size());
    return IsValidUtf8(*out);
  }
  static bool IsValidUtf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      size_t len = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
      if (len == 0 || i + len > s.size()) return false;
      for (size_t k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
      }
      i += len;
    }
    return true;
  }
  static absl::Status UpgradeUnpaddedCode(CompiledPolicy::Impl* im);
  absl::Status DecodeFormat1Nodes(const fb::Snapshot& s,
                                  CompiledPolicy::Impl* im);
  absl::Status DecodeRuleFormulas(const fb::Snapshot& s, int32_t nrules,
                                  CompiledPolicy::Impl* im);
  static absl::Status CheckRuleFormulas(const CompiledPolicy::Impl& im,
                                        int32_t nattrs);
  absl::Status DecodeLiteralMatches(const fb::AttrInput& in,
                                    const std::vector<Var>& vars,
                                    AttrInput* input);
  absl::Status DecodeExplainIndex(const fb::Snapshot& s, int32_t nattrs,
                                  int32_t nrules, CompiledPolicy::Impl* im);
  absl::Status DecodeLeafRules(const fb::Snapshot& s,
                               const std::vector<uint8_t>& rule_kind,
                               CompiledPolicy::Impl* im);
  absl::Status DecodeParts(const fb::Snapshot& s, const BoundPolicy& policy,
                           const std::vector<uint8_t>& rule_kind,
                           CompiledPolicy::Impl* im);
  template <typename T>
  static std::vector<T> Vec(const flatbuffers::Vector<T>* v) {
    return v == nullptr ? std::vector<T>{}
                        : std::vector<T>(v->begin(), v->end());
  }

  std::string_view bytes_;
  const SnapshotLimits& limits_;
  std::string_view buffer_;
  std::vector<uint8_t> aligned_;
};

absl::StatusOr<std::unique_ptr<CompiledPolicy>> SnapshotReader::Decode(
    const fb::Snapshot& s) {
  auto bound = std::unique_ptr<BoundPolicy>(new BoundPolicy());
  auto im = std::make_unique<CompiledPolicy::Impl>();
  const uint32_t format = s.format_version();
  if (!Str(s.policy_name(), &bound->name_) ||
      !Str(s.policy_version(), &bound->version_) ||
      !Str(s.policy_hash(), &bound->hash_)) {
    return Corrupt("invalid UTF-8 in the header");
  }
  // Attributes.
  if (s.attributes() != nullptr) {
    for (const fb::Attribute* a : *s.attributes()) {
      BoundAttribute attr;
      if (!Str(a->name(), &attr.name) || !Str(a->folded(), &attr.folded)) {
        return Corrupt("invalid UTF-8 in an attribute name");
      }
      if (a->type() > static_cast<uint8_t>(AttrType::kSet))
        return Corrupt("attribute type");
      attr.type = static_cast<AttrType>(a->type());
      attr.case_sensitive = a->case_sensitive();
      attr.declared = true;
      if (a->order() != nullptr) {
        for (const flatbuffers::String* o : *a->order()) {
          std::string v;
          if (!Str(o, &v)) return Corrupt("invalid UTF-8 in an ordinal order");
          attr.rank.emplace(v, static_cast<int64_t>(attr.order.size()));
          attr.order.push_back(std::move(v));
        }
      }
      const size_t nf = a->alias_from() ? a->alias_from()->size() : 0;
      const size_t nt = a->alias_to() ? a->alias_to()->size() : 0;
      if (nf != nt) return Corrupt("alias lists differ in length");
      for (size_t i = 0; i < nf; ++i) {
        std::string f, t;
        if (!Str(a->alias_from()->Get(i), &f) ||
            !Str(a->alias_to()->Get(i), &t)) {
          return Corrupt("invalid UTF-8 in an alias");
        }
        attr.aliases.emplace(std::move(f), std::move(t));
      }
      const AttrId id = static_cast<AttrId>(bound->attributes_.size());
      if (!bound->attribute_index_.emplace(attr.folded, id).second) {
        return Corrupt("attribute '" + attr.folded + "' twice");
      }
      bound->attributes_.push_back(std::move(attr));
    }
  }
  const int32_t nattrs = static_cast<int32_t>(bound->attributes_.size());
  auto attr_ok = [&](int32_t a) { return a >= 0 && a < nattrs; };
  // Instances.
  if (s.instances() != nullptr) {
    for (const fb::Instance* i : *s.instances()) {
      AppInstance inst;
      if (!Str(i->app(), &inst.app) || !Str(i->instance(), &inst.instance) ||
          !Str(i->owner(), &inst.owner)) {
        return Corrupt("invalid UTF-8 in an app instance");
      }
      if (i->levels() == nullptr || i->levels()->size() == 0)
        return Corrupt("instance without levels");
      for (const flatbuffers::String* l : *i->levels()) {
        std::string v;
        if (!Str(l, &v)) return Corrupt("invalid UTF-8 in a level");
        inst.levels.push_back(std::move(v));
      }
      if (i->default_level() < 0 ||
          i->default_level() >= static_cast<int32_t>(inst.levels.size())) {
        return Corrupt("default level out of range");
      }
      inst.default_level = i->default_level();
      if (i->provisioning() > static_cast<uint8_t>(Provisioning::kManual)) {
        return Corrupt("provisioning mode");
      }
      inst.provisioning = static_cast<Provisioning>(i->provisioning());
      if (i->has_cost()) inst.monthly_cost_cents = i->monthly_cost_cents();
      bound->instances_.push_back(std::move(inst));
    }
  }
  const int32_t ninst = static_cast<int32_t>(bound->instances_.size());
  // Interned scopes (leaves and merge parts name them by id).
  if (s.scopes() != nullptr) {
    im->scopes.reserve(s.scopes()->size());
    for (const flatbuffers::String* sc : *s.scopes()) {
      std::string v;
      if (!Str(sc, &v)) return Corrupt("invalid UTF-8 in a scope");
      im->scopes.push_back(std::move(v));
    }
  }
  // The evaluator merges layers' rules by scope id: from format 3 on,
  // every scope a valid rule grants must be interned.
  absl::flat_hash_set<std::string_view> interned;
  if (format >= 3) interned.insert(im->scopes.begin(), im->scopes.end());
  // Per rule, what a layer leaf or merge part may say of it: bit 0 deny,
  // bit 1 valid (one byte per rule stays in cache; the rules do not).
  std::vector<uint8_t> kind;
  // Rules (ids, effects and expiries; conditions are in the DAG).
  if (s.rules() != nullptr) {
    bound->rules_.reserve(s.rules()->size());
    kind.reserve(s.rules()->size());
    for (const fb::Rule* r : *s.rules()) {
      BoundRule rule;
      rule.index = static_cast<int32_t>(bound->rules_.size());
      if (!Str(r->id(), &rule.id) || !Str(r->file(), &rule.location.file)) {
        return Corrupt("invalid UTF-8 in a rule");
      }
      if (r->effect() > 1 || r->expiry_kind() > 2)
        return Corrupt("rule effect or expiry");
      rule.effect = static_cast<Effect>(r->effect());
      rule.priority = r->priority();
      rule.expiry_kind = static_cast<Expiry::Kind>(r->expiry_kind());
      rule.expiry_date = Date{r->expiry_date()};
      rule.expiry_attr = r->expiry_attr();
      if (rule.expiry_kind == Expiry::Kind::kAttribute &&
          (!attr_ok(rule.expiry_attr) ||
           bound->attributes_[rule.expiry_attr].type != AttrType::kDate)) {
        return Corrupt("expiry attribute");
      }
      rule.valid = r->valid();
      rule.location.line = r->line();
      rule.location.column = r->column();
      if (format >= 3) {
        // Targets: instances and levels in range (-1, every level, only on a
        // deny), the scope counts add up to the scope list.
        const auto* ts = r->targets();
        const auto* scopes = r->target_scopes();
        if (ts == nullptr || scopes == nullptr)
          return Corrupt("rule '" + rule.id + "' without targets");
        flatbuffers::uoffset_t next = 0;
        for (const fb::RuleTarget* t : *ts) {
          BoundTarget target;
          target.instance = t->instance();
          target.level = t->level();
          if (target.instance < 0 || target.instance >= ninst)
            return Corrupt("rule '" + rule.id + "' target instance");
          const int32_t nlevels = static_cast<int32_t>(
              bound->instances_[target.instance].levels.size());
          if (target.level < (rule.effect == Effect::kDeny ? -1 : 0) ||
              target.level >= nlevels) {
            return Corrupt("rule '" + rule.id + "' target level");
          }
          if (t->scopes_count() > scopes->size() - next)
            return Corrupt("rule '" + rule.id + "' target scopes");
          target.scopes.resize(t->scopes_count());
          for (std::string& sc : target.scopes) {
            if (!Str(scopes->Get(next++), &sc))
              return Corrupt("invalid UTF-8 in a target scope");
            if (rule.valid && !interned.contains(sc)) {
              return Corrupt("scope '" + sc + "' of rule '" + rule.id +
                             "' is not interned");
            }
          }
          rule.targets.push_back(std::move(target));
        }
        if (next != scopes->size())
          return Corrupt("rule '" + rule.id + "' target scopes");
      }
      kind.push_back(static_cast<uint8_t>(
          (rule.effect == Effect::kDeny ? 1 : 0) | (rule.valid ? 2 : 0)));
      bound->rules_.push_back(std::move(rule));
    }
  }
  const int32_t nrules = static_cast<int32_t>(bound->rules_.size());
  // Regexes (for set-attribute predicates).
  const size_t nre = s.regexes() ? s.regexes()->size() : 0;
  if ((s.regex_case_sensitive() ? s.regex_case_sensitive()->size() : 0) !=
      nre) {
    return Corrupt("regex lists differ in length");
  }
  for (size_t i = 0; i < nre; ++i) {
    std::string pattern;
    if (!Str(s.regexes()->Get(i), &pattern))
      return Corrupt("invalid UTF-8 in a regex");
    RE2::Options o;
    o.set_log_errors(false);
    o.set_case_sensitive(s.regex_case_sensitive()->Get(i));
    auto re = std::make_unique<RE2>(pattern, o);
    if (!re->ok()) return Corrupt("regex /" + pattern + "/ does not compile");
    bound->regexes_.push_back(std::move(re));
    bound->patterns_.push_back(std::move(pattern));
  }
  // Variables.
  auto key = [&](const fb::Key* k, Key* out) {
    out->num = k->num();
    return Str(k->text(), &out->text);
  };
  if (s.vars() != nullptr) {
    for (const fb::Var* v : *s.vars()) {
      Var var;
      if (v->kind() > static_cast<uint8_t>(VarKind::kAsOf))
        return Corrupt("variable kind");
      var.kind = static_cast<VarKind>(v->kind());
      var.attr = v->attr();
      var.num_classes = v->num_classes();
      var.pattern_bit = v->pattern_bit();
      if (var.kind != VarKind::kAsOf && !attr_ok(var.attr))
        return Corrupt("variable attribute");
      if (v->literals() != nullptr) {
        for (const flatbuffers::String* l : *v->literals()) {
          std::string lit;
          if (!Str(l, &lit)) return Corrupt("invalid UTF-8 in a literal");
          if (!var.literal_class.Insert(
                  lit, 2 + static_cast<int32_t>(var.literals.size()))) {
            return Corrupt("literal twice");
          }
          var.literals.push_back(std::move(lit));
        }
      }
      if (v->points() != nullptr) {
        for (const fb::Key* k : *v->points()) {
          Key p;
          if (!key(k, &p)) return Corrupt("invalid UTF-8 in a point");
          var.points.push_back(std::move(p));
        }
      }
      int32_t expected = 0;
      switch (var.kind) {
        case VarKind::kScalar: {
          const BoundAttribute& a = bound->attributes_[var.attr];
          if (a.type == AttrType::kSet)
            return Corrupt("scalar variable on a set");
          const bool ordered = a.numeric() || a.type == AttrType::kOrdinal;
          if (ordered ? !var.literals.empty() : !var.points.empty()) {
            return Corrupt("variable does not match its attribute's type");
          }
          expected = ordered ? 2 + 2 * static_cast<int32_t>(var.points.size())
                             : 2 + static_cast<int32_t>(var.literals.size());
          if (ordered) {
            for (size_t i = 1; i < var.points.size(); ++i) {
              if (a.Compare(var.points[i - 1], var.points[i]) >= 0)
                return Corrupt("points unsorted");
            }
          }
          break;
        }
        case VarKind::kAsOf:
          expected = 2 + 2 * static_cast<int32_t>(var.points.size());
          for (size_t i = 1; i < var.points.size(); ++i) {
            if (var.points[i - 1].num >= var.points[i].num)
              return Corrupt("dates unsorted");
          }
          break;
        case VarKind::kPresence:
          expected = 2;
          break;
        case VarKind::kPattern:
        case VarKind::kSetPred:
        case VarKind::kExpiry:
          expected = 3;
          break;
      }
      if (var.num_classes != expected) return Corrupt("variable class count");
      if (var.kind == VarKind::kSetPred) {
        const fb::Predicate* p = v->predicate();
        if (p == nullptr || !attr_ok(p->attr()) || p->attr() != var.attr ||
            p->op() > static_cast<uint8_t>(PredicateOp::kMissing)) {
          return Corrupt("set predicate");
        }
        var.predicate.attr = p->attr();
        var.predicate.op = static_cast<PredicateOp>(p->op());
        if (p->keys() != nullptr) {
          for (const fb::Key* k : *p->keys()) {
            Key kk;
            if (!key(k, &kk)) return Corrupt("invalid UTF-8 in a key");
            var.predicate.keys.push_back(std::move(kk));
          }
        }
        if (!Str(p->needle(), &var.predicate.needle))
          return Corrupt("invalid UTF-8 in a needle");
        var.predicate.regex = p->regex();
        const bool needs_regex = var.predicate.op == PredicateOp::kRegex;
        if (needs_regex != (var.predicate.regex >= 0) ||
            var.predicate.regex >= static_cast<int32_t>(nre)) {
          return Corrupt("set predicate regex");
        }
        if ((IsOrderedOp(var.predicate.op) &&
             var.predicate.keys.size() <
                 (var.predicate.op == PredicateOp::kRange ? 2u : 1u))) {
          return Corrupt("set predicate operands");
        }
      }
      im->vars.push_back(std::move(var));
    }
  }
  const int32_t nvars = static_cast<int32_t>(im->vars.size());
  auto var_is = [&](int32_t v, VarKind kind, AttrId attr) {
    return v >= 0 && v < nvars && im->vars[v].kind == kind &&
           im->vars[v].attr == attr;
  };
  im->as_of_var = s.as_of_var();
  if (im->as_of_var < 0 || im->as_of_var >= nvars ||
      im->vars[im->as_of_var].kind != VarKind::kAsOf) {
    return Corrupt("as_of variable");
  }
  im->slot_count = s.slot_count();
  if (im->slot_count != nattrs + 1) return Corrupt("slot count");
  // Inputs.
  std::vector<bool> input_seen(nattrs, false);
  if (s.inputs() != nullptr) {
    for (const fb::AttrInput* in : *s.inputs()) {
      AttrInput input;
      input.attr = in->attr();
      if (!attr_ok(input.attr) || input_seen[input.attr])
        return Corrupt("input attribute");
      input_seen[input.attr] = true;
      const BoundAttribute& a = bound->attributes_[input.attr];
      input.scalar_var = in->scalar_var();
      input.presence_var = in->presence_var();
      input.expiry_var = in->expiry_var();
      if (a.type == AttrType::kSet) {
        if (!var_is(input.presence_var, VarKind::kPresence, input.attr) ||
            input.scalar_var != -1) {
          return Corrupt("set input variables");
        }
      } else if (input.presence_var != -1 ||
                 (input.scalar_var != -1 &&
                  !var_is(input.scalar_var, VarKind::kScalar, input.attr))) {
        return Corrupt("input variables");
      }
      if (input.expiry_var != -1 &&
          (!var_is(input.expiry_var, VarKind::kExpiry, input.attr) ||
           a.type != AttrType::kDate)) {
        return Corrupt("expiry variable");
      }
      input.pattern_vars = Vec(in->pattern_vars());
      input.set_vars = Vec(in->set_vars());
      for (int32_t sv : input.set_vars) {
        if (!var_is(sv, VarKind::kSetPred, input.attr))
          return Corrupt("set variable");
      }
      if (in->patterns() != nullptr) {
        for (const flatbuffers::String* pat : *in->patterns()) {
          std::string text;
          if (!Str(pat, &text)) return Corrupt("invalid UTF-8 in a pattern");
          input.pattern_text.push_back(std::move(text));
        }
      }
      if (input.pattern_vars.size() != input.pattern_text.size() ||
          (!input.pattern_vars.empty() && a.type == AttrType::kSet)) {
        return Corrupt("pattern variables");
      }
      if (!input.pattern_text.empty()) {
        RE2::Options o;
        o.set_log_errors(false);
        o.set_case_sensitive(a.case_sensitive);
        input.patterns = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
        for (size_t k = 0; k < input.pattern_text.size(); ++k) {
          std::string error;
          if (!var_is(input.pattern_vars[k], VarKind::kPattern, input.attr) ||
              im->vars[input.pattern_vars[k]].pattern_bit !=
                  static_cast<int32_t>(k) ||
              input.patterns->Add(input.pattern_text[k], &error) !=
                  static_cast<int>(k)) {
            return Corrupt("pattern " + std::to_string(k));
          }
        }
        if (!input.patterns->Compile())
          return Corrupt("patterns do not compile");
      }
      if (format >= 5) {
        absl::Status st = DecodeLiteralMatches(*in, im->vars, &input);
        if (!st.ok()) return st;
      }
      im->inputs.push_back(std::move(input));
    }
  }
  // Every variable but as_of must be read by its attribute's input, or its
  // class would be stale at evaluation.
  for (int32_t v = 0; v < nvars; ++v) {
    const Var& var = im->vars[v];
    if (var.kind == VarKind::kAsOf) {
      if (v != im->as_of_var) return Corrupt("second as_of variable");
      continue;
    }
    bool owned = false;
    for (const AttrInput& in : im->inputs) {
      if (in.attr != var.attr) continue;
      owned =
          in.scalar_var == v || in.presence_var == v || in.expiry_var == v ||
          std::count(in.pattern_vars.begin(), in.pattern_vars.end(), v) > 0 ||
          std::count(in.set_vars.begin(), in.set_vars.end(), v) > 0;
    }
    if (!owned)
      return Corrupt("variable " + std::to_string(v) + " has no input");
  }
  // Leaves and their pools.
  im->scope_pool = Vec(s.scope_pool());
  im->reason_pool = Vec(s.reason_pool());
  im->attr_pool = Vec(s.attr_pool());
  for (uint32_t sc : im->scope_pool) {
    if (sc >= im->scopes.size()) return Corrupt("scope index");
  }
  for (uint32_t r : im->reason_pool) {
    if (r >= static_cast<uint32_t>(nrules)) return Corrupt("reason index");
  }
  if (s.leaf_ents() != nullptr) {
    // Checked where they lie, then copied whole (one layout, asserted
    // with the struct above).
    const auto* ents = s.leaf_ents();
    auto range_ok = [](uint64_t begin, uint64_t count, size_t size) {
      return begin + count <= size;
    };
    for (const fb::LeafEntitlement* e : *ents) {
      if (e->instance() < 0 || e->instance() >= ninst || e->level() < 0 ||
          e->level() >= static_cast<int32_t>(
                            bound->instances_[e->instance()].levels.size())) {
        return Corrupt("leaf entitlement");
      }
      if (!range_ok(e->scopes_begin(), e->scopes_count(),
                    im->scope_pool.size()) ||
          !range_ok(e->reasons_begin(), e->reasons_count(),
                    im->reason_pool.size()) ||
          !range_ok(e->expiry_attrs_begin(), e->expiry_attrs_count(),
                    im->attr_pool.size())) {
        return Corrupt("leaf entitlement range");
      }
      for (uint32_t k = 0; k < e->expiry_attrs_count(); ++k) {
        const int32_t a = im->attr_pool[e->expiry_attrs_begin() + k];
        if (!attr_ok(a) || bound->attributes_[a].type != AttrType::kDate) {
          return Corrupt("expiry attribute of a leaf");
        }
      }
      // Copied into a bool, the flag's byte must be 0 or 1.
      const uint8_t never = reinterpret_cast<const uint8_t*>(
          e)[offsetof(LeafEntitlement, never_expires)];
      if (never > 1) return Corrupt("leaf expiry flag");
      if (!never && e->expiry_attrs_count() == 0 &&
          e->expiry_literal() == INT32_MIN) {
        return Corrupt("leaf expiry");
      }
    }
    im->leaf_ents.resize(ents->size());
    if (ents->size() > 0) {
      std::memcpy(im->leaf_ents.data(), ents->data(),
                  ents->size() * sizeof(LeafEntitlement));
    }
  }
  if (s.leaves() != nullptr) {
    im->leaves.reserve(s.leaves()->size());
    for (const fb::Leaf* l : *s.leaves()) {
      if (static_cast<uint64_t>(l->ents_begin()) + l->ents_count() >
          im->leaf_ents.size()) {
        return Corrupt("leaf range");
      }
      im->leaves.push_back(Leaf{l->ents_begin(), l->ents_count()});
    }
  }
  if (im->leaves.empty()) return Corrupt("no leaves");
  if (im->leaves[0].ents_count != 0) return Corrupt("leaf 0 is not empty");
  // The layer leaves' merge parts: stored from format 4 on, derived from
  // the leaves' applying rules (stored by formats 3 and 4) before; formats
  // 1 and 2 have no layers.
  if (format == 3 || format == 4) {
    absl::Status st = DecodeLeafRules(s, kind, im.get());
    if (!st.ok()) return st;
  } else if (format < 3) {
    im->leaf_rules_begin.assign(im->leaves.size() + 1, 0);
  }
  if (format >= 4) {
    absl::Status st = DecodeParts(s, *bound, kind, im.get());
    if (!st.ok()) return st;
  }
  // Apps, then the DAG code. Format 2 stores the code; format 1 stored
  // nodes with parallel edge arrays, which are validated and laid out as
  // code here, so older snapshots keep loading.
  if (s.apps() != nullptr) {
    int32_t next_instance = 0;
    for (const fb::AppDag* a : *s.apps()) {
      AppDag dag;
      dag.first_instance = a->first_instance();
      dag.last_instance = a->last_instance();
      dag.root = a->root();
      if (dag.first_instance != next_instance ||
          dag.last_instance < dag.first_instance ||
          dag.last_instance >= ninst) {
        return Corrupt("app DAG");
      }
      next_instance = dag.last_instance + 1;
      im->apps.push_back(dag);
    }
  }
  if (format >= 3) {
    // Checked as child references with the roots, below.
    // Rank-major, padded with the empty leaf (format 3: one rank).
    const auto* layer_roots = s.layer_roots();
    if (layer_roots == nullptr) return Corrupt("format 3 without layer roots");
    const size_t napps = im->apps.size();
    const size_t n = layer_roots->size();
    if (napps == 0 ? n != 0 : n % napps != 0 || (format == 3 && n != napps)) {
      return Corrupt("layer roots do not match the apps");
    }
    for (size_t k = 0; napps > 0 && k < n / napps; ++k) {
      for (size_t a = 0; a < napps; ++a) {
        im->apps[a].layer_roots.push_back(layer_roots->Get(
            static_cast<flatbuffers::uoffset_t>(k * napps + a)));
      }
    }
    for (AppDag& dag : im->apps) {
      while (!dag.layer_roots.empty() && dag.layer_roots.back() == kLeafBit)
        dag.layer_roots.pop_back();
    }
  }
  if (format == 1) {
    if (absl::Status st = DecodeFormat1Nodes(s, im.get()); !st.ok()) return st;
  } else {
    im->code = Vec(s.code());
    // Every child is a leaf or a node that starts earlier in the code, so
    // the graph is acyclic and every walk ends.
    const std::vector<uint32_t>& code = im->code;
    // Node starts as a bitset (a 10k-rule policy's fits in L1), the
    // variables' widths and the leaf count at hand: the check reads little
    // besides the code.
    std::vector<uint64_t> starts(code.size() / 64 + 1, 0);
    std::vector<uint32_t> widths;
    for (const Var& v : im->vars)
      widths.push_back(static_cast<uint32_t>(v.num_classes));
    const uint32_t nleaves = static_cast<uint32_t>(im->leaves.size());
    auto child_ok = [&](uint32_t ref, size_t parent) {
      return (ref & kLeafBit)
                 ? (ref & ~kLeafBit) < nleaves
                 : ref < parent && (starts[ref >> 6] >> (ref & 63)) & 1;
    };
    for (size_t at = 0; at < code.size();) {
      if (code.size() - at < 2) return Corrupt("node header");
      const uint32_t* n = &code[at];
      const int32_t var = NodeVar(n);
      if (var >= nvars) return Corrupt("node variable");
      const uint64_t width = widths[var];
      const uint64_t count = n[1];
      const uint64_t words = NodeSparse(n) ? 3 + 2 * count : 2 + count;
      if (words > code.size() - at) return Corrupt("node edges");
      if (NodeSparse(n)) {
        // Format 6 pads the exceptions to a multiple of 4 (dag.h).
        uint64_t real = count;
        if (format >= 6) {
          if (count % 4 != 0) return Corrupt("node exceptions not padded");
          real = NodeExceptions(n);
          if (count - real > 3) return Corrupt("node padding");
          for (uint64_t k = real; k < count; ++k)
            if (n[3 + count + k] != n[2]) return Corrupt("node padding");
        }
        if (real > width) return Corrupt("node exceptions");
        if (!child_ok(n[2], at)) return Corrupt("node default child");
        for (uint64_t k = 0; k < real; ++k) {
          const uint32_t c = n[3 + k];
          if (c >= width || (k > 0 && n[3 + k - 1] >= c))
            return Corrupt("node classes");
          if (!child_ok(n[3 + count + k], at)) return Corrupt("node child");
        }
      } else {
        if (count != width) return Corrupt("dense node width");
        for (uint64_t k = 0; k < count; ++k)
          if (!child_ok(n[2 + k], at)) return Corrupt("node child");
      }
      starts[at >> 6] |= uint64_t{1} << (at & 63);
      ++im->stats.nodes;  // As CountCode counts them.
      im->stats.edges += static_cast<int64_t>(count) + (NodeSparse(n) ? 1 : 0);
      at += words;
    }
    for (const AppDag& dag : im->apps) {
      if (!child_ok(dag.root, code.size())) return Corrupt("app DAG root");
      for (uint32_t root : dag.layer_roots) {
        if (!child_ok(root, code.size())) return Corrupt("app layer root");
      }
    }
    if (format < 6) {
      if (absl::Status st = UpgradeUnpaddedCode(im.get()); !st.ok()) return st;
    }
  }
  // Atoms and rule formulas (missing-attribute explanation).
  if (s.atoms() != nullptr) {
    im->atoms.reserve(s.atoms()->size());
    for (const fb::Atom* a : *s.atoms()) {
      Atom atom;
      atom.var = a->var();
      atom.missing_attr = a->missing_attr();
      if (atom.var < 0 || atom.var >= nvars ||
          (atom.missing_attr != -1 && !attr_ok(atom.missing_attr))) {
        return Corrupt("atom");
      }
      // Kept sparse (see Atom): the most common value and the others.
      const size_t width = static_cast<size_t>(im->vars[atom.var].num_classes);
      if (a->truth() != nullptr || s.format_version() == 1) {
        if (a->truth() == nullptr || a->truth()->size() != width)
          return Corrupt("atom truth table");
        const uint8_t* raw = a->truth()->data();
        size_t counts[3] = {0, 0, 0};
        for (size_t i = 0; i < width; ++i) {
          if (raw[i] > 2) return Corrupt("atom truth value");
          ++counts[raw[i]];
        }
        uint8_t common = 0;
        for (uint8_t t = 1; t < 3; ++t) {
          if (counts[t] > counts[common]) common = t;
        }
        atom.common = static_cast<Tri>(common);
        atom.exc_begin = static_cast<uint32_t>(im->exc_class.size());
        for (size_t i = 0; i < width; ++i) {
          if (raw[i] == common) continue;
          im->exc_class.push_back(static_cast<int32_t>(i));
          im->exc_truth.push_back(static_cast<Tri>(raw[i]));
        }
        atom.exc_count =
            static_cast<uint32_t>(im->exc_class.size()) - atom.exc_begin;
      } else {
        const auto* cls = a->exc_class();
        const auto* val = a->exc_truth();
        const flatbuffers::uoffset_t n = cls == nullptr ? 0 : cls->size();
        if (a->common() > 2 || (val == nullptr ? 0 : val->size()) != n)
          return Corrupt("atom truth table");
        atom.common = static_cast<Tri>(a->common());
        atom.exc_begin = static_cast<uint32_t>(im->exc_class.size());
        atom.exc_count = n;
        for (flatbuffers::uoffset_t k = 0; k < n; ++k) {
          const uint32_t c = cls->Get(k);
          const uint8_t t = val->Get(k);
          if (c >= width || (k > 0 && cls->Get(k - 1) >= c) || t > 2 ||
              t == a->common()) {
            return Corrupt("atom truth value");
          }
          im->exc_class.push_back(static_cast<int32_t>(c));
          im->exc_truth.push_back(static_cast<Tri>(t));
        }
      }
      im->atoms.push_back(std::move(atom));
    }
  }
  if (absl::Status st = DecodeRuleFormulas(s, nrules, im.get()); !st.ok())
    return st;
  if (absl::Status st = CheckRuleFormulas(*im, nattrs); !st.ok()) return st;
  if (format >= 5) {
    if (absl::Status st = DecodeExplainIndex(s, nattrs, nrules, im.get());
        !st.ok()) {
      return st;
    }
  } else {
    // The rules reading each attribute, from which PrepareEvaluation
    // builds the explanation index.
    if ((s.attr_rules() ? static_cast<int32_t>(s.attr_rules()->size()) : 0) !=
        nattrs) {
      return Corrupt("attribute rule index");
    }
    if (s.attr_rules() != nullptr) {  // Absent when there are no attributes.
      for (const fb::IntList* list : *s.attr_rules()) {
        std::vector<int32_t> rules = Vec(list->values());
        for (int32_t r : rules)
          if (r < 0 || r >= nrules) return Corrupt("attribute rule");
        im->attr_rules.push_back(std::move(rules));
      }
    }
  }
  im->stats.rules = nrules;
  im->stats.apps = static_cast<int64_t>(im->apps.size());
  for (const AppDag& dag : im->apps) {
    im->stats.layered_apps += !dag.layer_roots.empty();
    if (!dag.layer_roots.empty())
      im->stats.layers += 1 + static_cast<int64_t>(dag.layer_roots.size());
  }
  im->stats.variables = nvars;
  if (format == 1) CountCode(im->code, &im->stats.nodes, &im->stats.edges);
  im->stats.leaves = static_cast<int64_t>(im->leaves.size());
  im->stats.memory_bytes = static_cast<int64_t>(bytes_.size());
  std::shared_ptr<const BoundPolicy> shared(std::move(bound));
  return CompiledPolicy::FromParts(std::move(shared), std::move(im));
}

// The rules as atoms (RuleInfo): format 5 stores them flat, as the
// evaluator keeps them; older formats as one table per rule, flattened
// here. Checked by CheckRuleFormulas.
absl::Status SnapshotReader::DecodeRuleFormulas(const fb::Snapshot& s,
                                                int32_t nrules,
                                                CompiledPolicy::Impl* im) {
  if (s.format_version() >= 5) {
    if (s.rule_ranges() == nullptr || s.rule_pool() == nullptr ||
        s.formula() == nullptr) {
      return Corrupt("format " + std::to_string(s.format_version()) +
                     " without rule formulas");
    }
    if (static_cast<int32_t>(s.rule_ranges()->size()) != nrules)
      return Corrupt("rule formulas");
    im->rules.resize(static_cast<size_t>(nrules));
    if (nrules > 0) {
      std::memcpy(im->rules.data(), s.rule_ranges()->data(),
                  sizeof(RuleInfo) * static_cast<size_t>(nrules));
    }
    im->rule_pool = Vec(s.rule_pool());
    im->formula.reserve(s.formula()->size());
    for (const fb::FormulaNode* f : *s.formula()) {
      if (f->kind() > static_cast<uint32_t>(Expr::Kind::kNot))
        return Corrupt("formula kind");
      FNode& n = im->formula.emplace_back();
      n.kind = static_cast<Expr::Kind>(f->kind());
      n.atom = f->atom();
      n.children_begin = f->children_begin();
      n.children_count = f->children_count();
    }
    return absl::OkStatus();
  }
  if ((s.rule_infos() ? static_cast<int32_t>(s.rule_infos()->size()) : 0) !=
      nrules) {
    return Corrupt("rule formulas");
  }
  std::vector<int32_t>& pool = im->rule_pool;
  auto append = [&](const flatbuffers::Vector<int32_t>* v, uint32_t* begin,
                    uint32_t* count) {
    *begin = static_cast<uint32_t>(pool.size());
    *count = v == nullptr ? 0 : v->size();
    if (v != nullptr) pool.insert(pool.end(), v->begin(), v->end());
  };
  im->rules.resize(static_cast<size_t>(nrules));
  for (int32_t r = 0; r < nrules; ++r) {
    const fb::RuleInfo* ri = s.rule_infos()->Get(r);
    RuleInfo& info = im->rules[r];
    append(ri->cond_atoms(), &info.cond_begin, &info.cond_count);
    append(ri->unless_atoms(), &info.unless_atoms_begin,
           &info.unless_atoms_count);
    append(ri->cond_missing(), &info.missing_begin, &info.missing_count);
    info.unless_begin = static_cast<uint32_t>(im->formula.size());
    if (ri->unless() == nullptr) continue;
    info.unless_count = ri->unless()->size();
    for (const fb::FNode* f : *ri->unless()) {
      if (f->kind() > static_cast<uint8_t>(Expr::Kind::kNot))
        return Corrupt("formula kind");
      FNode& n = im->formula.emplace_back();
      n.kind = static_cast<Expr::Kind>(f->kind());
      n.atom = f->atom();
      append(f->children(), &n.children_begin, &n.children_count);
    }
  }
  return absl::OkStatus();
}

// Every range of the rules' formulas lies in its pool, every atom and
// attribute is in range, and every formula node is well formed with its
// children after it (so evaluation terminates).
absl::Status SnapshotReader::CheckRuleFormulas(const CompiledPolicy::Impl& im,
                                               int32_t nattrs) {
  const uint64_t pool = im.rule_pool.size();
  const uint64_t nodes = im.formula.size();
  const int32_t natoms = static_cast<int32_t>(im.atoms.size());
  auto atom_ok = [&](int32_t a) { return a >= 0 && a < natoms; };
  for (size_t r = 0; r < im.rules.size(); ++r) {
    const RuleInfo& info = im.rules[r];
    if (uint64_t{info.cond_begin} + info.cond_count > pool ||
        uint64_t{info.unless_atoms_begin} + info.unless_atoms_count > pool ||
        uint64_t{info.missing_begin} + info.missing_count > pool ||
        uint64_t{info.unless_begin} + info.unless_count > nodes) {
      return Corrupt("rule formula range");
    }
    const int32_t rule = static_cast<int32_t>(r);
    for (int32_t a : im.cond_atoms(rule))
      if (!atom_ok(a)) return Corrupt("condition atom");
    for (int32_t a : im.unless_atoms(rule))
      if (!atom_ok(a)) return Corrupt("unless atom");
    for (AttrId a : im.cond_missing(rule))
      if (a < 0 || a >= nattrs) return Corrupt("condition attribute");
    const std::span<const FNode> formula = im.unless(rule);
    const int64_t nf = static_cast<int64_t>(formula.size());
    for (int64_t k = 0; k < nf; ++k) {
      const FNode& node = formula[static_cast<size_t>(k)];
      if (uint64_t{node.children_begin} + node.children_count > pool)
        return Corrupt("formula children range");
      for (int32_t c : im.children(node))
        if (c <= k || c >= nf) return Corrupt("formula child");
      if (node.kind == Expr::Kind::kPredicate
              ? !atom_ok(node.atom) || node.children_count != 0
              : node.children_count == 0) {
        return Corrupt("formula node");
      }
      if (node.kind == Expr::Kind::kNot && node.children_count != 1)
        return Corrupt("formula not");
    }
  }
  return absl::OkStatus();
}

// Format 5: the pattern bits of an input's literal classes, as
// PrepareEvaluation would build them (AttrInput::literal_match): for an
// input with patterns and a scalar variable with literals, one offset per
// class and one more, none for the missing and "other" classes, never
// decreasing, ending at the size, each class's bits ascending and in
// range; for any other input, none.
absl::Status SnapshotReader::DecodeLiteralMatches(const fb::AttrInput& in,
                                                  const std::vector<Var>& vars,
                                                  AttrInput* input) {
  input->literal_match_begin = Vec(in.literal_match_begin());
  input->literal_match = Vec(in.literal_match());
  const std::vector<uint32_t>& begin = input->literal_match_begin;
  const std::vector<int32_t>& bits = input->literal_match;
  const bool tabled = input->patterns != nullptr && input->scalar_var >= 0 &&
                      !vars[input->scalar_var].literals.empty();
  if (!tabled) {
    if (!begin.empty() || !bits.empty()) return Corrupt("literal matches");
    return absl::OkStatus();
  }
  const size_t classes =
      static_cast<size_t>(vars[input->scalar_var].num_classes);
  if (classes < 3 || begin.size() != classes + 1 || begin[0] != 0 ||
      begin[1] != 0 || begin[2] != 0 || begin.back() != bits.size()) {
    return Corrupt("literal match index");
  }
  // The whole index first: never decreasing and ending at the size, every
  // class's range is in bounds (fuzz_snapshot found a read past the end
  // when a middle offset overshot and only the ranges read so far were
  // checked).
  for (size_t c = 2; c < classes; ++c) {
    if (begin[c + 1] < begin[c]) return Corrupt("literal match index");
  }
  const int32_t npatterns = static_cast<int32_t>(input->pattern_vars.size());
  for (size_t c = 2; c < classes; ++c) {
    for (uint32_t i = begin[c]; i < begin[c + 1]; ++i) {
      if (bits[i] < 0 || bits[i] >= npatterns ||
          (i > begin[c] && bits[i - 1] >= bits[i])) {
        return Corrupt("literal match");
      }
    }
  }
  return absl::OkStatus();
}

// Format 5: the missing-attribute explanation index (Impl::ExplainAttr),
// copied whole and checked: one record per attribute, every range inside
// its table or the pool, every guard on a variable in range with one
// offset per class and one more, from 0 and never decreasing, and every
// rule index in range.
absl::Status SnapshotReader::DecodeExplainIndex(const fb::Snapshot& s,
                                                int32_t nattrs, int32_t nrules,
                                                CompiledPolicy::Impl* im) {
  using Impl = CompiledPolicy::Impl;
  if (s.explain_attrs() == nullptr || s.explain_guards() == nullptr ||
      s.explain_pool() == nullptr) {
    return Corrupt("format " + std::to_string(s.format_version()) +
                   " without the explanation index");
  }
  if (static_cast<int32_t>(s.explain_attrs()->size()) != nattrs)
    return Corrupt("explanation index size");
  im->explain.resize(s.explain_attrs()->size());
  im->explain_guards.resize(s.explain_guards()->size());
  if (!im->explain.empty()) {
    std::memcpy(im->explain.data(), s.explain_attrs()->data(),
                sizeof(Impl::ExplainAttr) * im->explain.size());
  }
  if (!im->explain_guards.empty()) {
    std::memcpy(im->explain_guards.data(), s.explain_guards()->data(),
                sizeof(Impl::ExplainGuard) * im->explain_guards.size());
  }
  im->explain_pool = Vec(s.explain_pool());
  const std::vector<uint32_t>& pool = im->explain_pool;
  auto rules_ok = [&](uint64_t at, uint64_t count) {
    if (at + count > pool.size()) return false;
    for (uint64_t k = 0; k < count; ++k)
      if (pool[at + k] >= static_cast<uint32_t>(nrules)) return false;
    return true;
  };
  for (const Impl::ExplainAttr& x : im->explain) {
    if (uint64_t{x.guards_begin} + x.guards_count > im->explain_guards.size())
      return Corrupt("explanation guards range");
    if (!rules_ok(x.unguarded_at, x.unguarded_count))
      return Corrupt("explanation rules");
  }
  for (const Impl::ExplainGuard& g : im->explain_guards) {
    if (g.var < 0 || g.var >= static_cast<int32_t>(im->vars.size()))
      return Corrupt("explanation guard variable");
    const uint64_t classes = static_cast<uint32_t>(im->vars[g.var].num_classes);
    if (uint64_t{g.begin_at} + classes + 1 > pool.size())
      return Corrupt("explanation guard range");
    const uint32_t* begin = pool.data() + g.begin_at;
    if (begin[0] != 0) return Corrupt("explanation guard offsets");
    for (uint64_t c = 0; c < classes; ++c) {
      if (begin[c + 1] < begin[c]) return Corrupt("explanation guard offsets");
    }
    if (!rules_ok(g.rules_at, begin[classes]))
      return Corrupt("explanation rules");
  }
  return absl::OkStatus();
}

// Formats 3 and 4: the applying rules of layer leaves (LayerRule values),
// from which PrepareEvaluation derives the merge parts (format 3) or which
// are checked and dropped (format 4, whose parts are stored). `rule_kind`
// is bit 0 deny, bit 1 valid, per rule.
absl::Status SnapshotReader::DecodeLeafRules(
    const fb::Snapshot& s, const std::vector<uint8_t>& rule_kind,
    CompiledPolicy::Impl* im) {
  if (s.leaf_rules_begin() == nullptr || s.leaf_rules() == nullptr)
    return Corrupt("format " + std::to_string(s.format_version()) +
                   " without leaf rules");
  im->leaf_rules_begin = Vec(s.leaf_rules_begin());
  im->leaf_rules = Vec(s.leaf_rules());
  const std::vector<uint32_t>& begin = im->leaf_rules_begin;
  const std::vector<uint32_t>& entries = im->leaf_rules;
  if (begin.size() != im->leaves.size() + 1)
    return Corrupt("leaf rule index size");
  if (begin[0] != 0 || begin[1] != 0) return Corrupt("leaf 0 has rules");
  if (begin.back() != entries.size()) return Corrupt("leaf rule index end");
  for (size_t l = 0; l + 1 < begin.size(); ++l) {
    if (begin[l + 1] < begin[l])
      return Corrupt("leaf rule index decreases at leaf " + std::to_string(l));
  }
  const uint32_t nrules = static_cast<uint32_t>(rule_kind.size());
  for (size_t l = 1; l + 1 < begin.size(); ++l) {
    for (uint32_t k = begin[l]; k < begin[l + 1]; ++k) {
      const uint32_t e = entries[k];
      if (k > begin[l] && entries[k - 1] >= e)
        return Corrupt("leaf " + std::to_string(l) + " rules unsorted");
      const uint32_t r = e >> 1;
      if (r >= nrules)
        return Corrupt("leaf " + std::to_string(l) + " rule index");
      const uint32_t deny = e & 1;
      if (deny != (rule_kind[r] & 1u))
        return Corrupt("leaf " + std::to_string(l) + " rule effect");
      if (!deny && !(rule_kind[r] & 2))
        return Corrupt("leaf " + std::to_string(l) +
                       " grants by an invalid rule");
    }
  }
  return absl::OkStatus();
}

// Format 4 on: the layer leaves' merge parts (Impl::MergePart), checked so
// that a merge reads only in range: per leaf, records strictly ascending by
// (instance, level), instances and levels in range (a cap record at most
// the level count), ranges inside part_pool, reasons ascending valid grant
// rules, scopes interned ids, expiry attributes dates. `rule_kind` is bit
// 0 deny, bit 1 valid, per rule.
absl::Status SnapshotReader::DecodeParts(const fb::Snapshot& s,
                                         const BoundPolicy& policy,
                                         const std::vector<uint8_t>& rule_kind,
                                         CompiledPolicy::Impl* im) {
  using Part = CompiledPolicy::Impl::MergePart;
  if (s.part_begin() == nullptr || s.parts() == nullptr ||
      s.part_pool() == nullptr) {
    return Corrupt("format " + std::to_string(s.format_version()) +
                   " without merge parts");
  }
  im->part_begin = Vec(s.part_begin());
  im->part_pool = Vec(s.part_pool());
  const std::vector<uint32_t>& begin = im->part_begin;
  const std::vector<uint32_t>& pool = im->part_pool;
  const auto* parts = s.parts();
  if (begin.size() != im->leaves.size() + 1) return Corrupt("part index size");
  if (begin[0] != 0 || begin[1] != 0) return Corrupt("leaf 0 has parts");
  if (begin.back() != parts->size()) return Corrupt("part index end");
  // Per instance its level count, per attribute whether it is a date: two
  // small arrays instead of the instances' and attributes' structs.
  std::vector<int32_t> levels_of;
  for (const AppInstance& inst : policy.instances())
    levels_of.push_back(static_cast<int32_t>(inst.levels.size()));
  std::vector<uint8_t> is_date;
  for (const BoundAttribute& a : policy.attributes())
    is_date.push_back(a.type == AttrType::kDate);
  const uint32_t nscopes = static_cast<uint32_t>(im->scopes.size());
  // Never decreasing and ending at the size: every range is in bounds.
  for (size_t l = 0; l + 1 < begin.size(); ++l) {
    if (begin[l + 1] < begin[l])
      return Corrupt("part index decreases at leaf " + std::to_string(l));
  }
  // Checked where they lie, then copied whole: the two structs share one
  // layout (asserted with the struct, below).
  for (size_t l = 1; l + 1 < begin.size(); ++l) {
    for (uint32_t i = begin[l]; i < begin[l + 1]; ++i) {
      const fb::MergePart& p = *parts->Get(i);
      auto where = [&] {  // Built on failure only, not per part.
        return "part " + std::to_string(i) + " of leaf " + std::to_string(l);
      };
      if (p.instance() < 0 ||
          p.instance() >= static_cast<int32_t>(levels_of.size()))
        return Corrupt(where() + ": instance");
      const int32_t levels = levels_of[p.instance()];
      if (p.level() < -1 || p.level() >= levels ||
          (p.level() < 0 && (p.priority() < 0 || p.priority() > levels)))
        return Corrupt(where() + ": level");
      if (i > begin[l] && std::make_pair(parts->Get(i - 1)->instance(),
                                         parts->Get(i - 1)->level()) >=
                              std::make_pair(p.instance(), p.level())) {
        return Corrupt(where() + ": unsorted");
      }
      auto range_ok = [&](uint64_t b, uint64_t n) {
        return b + n <= pool.size();
      };
      if (!range_ok(p.reasons_begin(), p.reasons_count()) ||
          !range_ok(p.scopes_begin(), p.scopes_count()) ||
          !range_ok(p.attrs_begin(), p.attrs_count()) ||
          (p.level() < 0 &&
           (p.reasons_count() | p.scopes_count() | p.attrs_count()) != 0)) {
        return Corrupt(where() + ": range");
      }
      const uint32_t* reasons = pool.data() + p.reasons_begin();
      for (uint32_t k = 0; k < p.reasons_count(); ++k) {
        const uint32_t r = reasons[k];
        if (r >= rule_kind.size() || rule_kind[r] != 2 ||
            (k > 0 && reasons[k - 1] >= r)) {
          return Corrupt(where() + ": reasons");
        }
      }
      for (uint32_t k = 0; k < p.scopes_count(); ++k) {
        if (pool[p.scopes_begin() + k] >= nscopes)
          return Corrupt(where() + ": scope");
      }
      for (uint32_t k = 0; k < p.attrs_count(); ++k) {
        const uint32_t a = pool[p.attrs_begin() + k];
        if (a >= is_date.size() || !is_date[a])
          return Corrupt(where() + ": expiry attribute");
      }
      // Copied into a bool, the flag's byte must be 0 or 1.
      if (reinterpret_cast<const uint8_t*>(
              &p)[offsetof(ImplPart, never_expires)] > 1)
        return Corrupt(where() + ": expiry flag");
    }
  }
  // Leaf 0 (the empty outcome) has none, so every part was checked.
  im->parts.resize(parts->size());
  if (!im->parts.empty()) {
    std::memcpy(im->parts.data(), parts->data(), parts->size() * sizeof(Part));
  }
  return absl::OkStatus();
}

// Format 1: nodes with parallel edge arrays, children before parents by
// index. Validated like format 2, then laid out as code.
absl::Status SnapshotReader::DecodeFormat1Nodes(const fb::Snapshot& s,
                                                CompiledPolicy::Impl* im) {
  const int64_t nvars = static_cast<int64_t>(im->vars.size());
  std::vector<BuiltNode> nodes;
  std::vector<uint32_t> exc_class = Vec(s.exc_class());
  std::vector<uint32_t> exc_child = Vec(s.exc_child());
  if (exc_class.size() != exc_child.size()) return Corrupt("edge arrays");
  auto child_ok = [&](uint32_t ref, size_t parent) {
    return (ref & kLeafBit) ? (ref & ~kLeafBit) < im->leaves.size()
                            : ref < parent;
  };
  if (s.nodes() != nullptr) {
    for (const fb::Node* n : *s.nodes()) {
      BuiltNode node{n->var(), n->dflt(), n->exc_begin(), n->exc_count()};
      const size_t index = nodes.size();
      if (node.var < 0 || node.var >= nvars) return Corrupt("node variable");
      if (static_cast<uint64_t>(node.exc_begin) + node.exc_count >
          exc_child.size()) {
        return Corrupt("node edges");
      }
      if (node.dflt == kDenseNode) {
        if (node.exc_count !=
            static_cast<uint32_t>(im->vars[node.var].num_classes)) {
          return Corrupt("dense node width");
        }
      } else if (!child_ok(node.dflt, index)) {
        return Corrupt("node default child");
      }
      for (uint32_t k = 0; k < node.exc_count; ++k) {
        if (!child_ok(exc_child[node.exc_begin + k], index))
          return Corrupt("node child");
        if (node.dflt != kDenseNode) {
          const uint32_t c = exc_class[node.exc_begin + k];
          if (c >= static_cast<uint32_t>(im->vars[node.var].num_classes) ||
              (k > 0 && exc_class[node.exc_begin + k - 1] >= c)) {
            return Corrupt("node classes");
          }
        }
      }
      nodes.push_back(node);
    }
  }
  std::vector<uint32_t*> roots;
  for (AppDag& dag : im->apps) {
    if (!child_ok(dag.root, nodes.size())) return Corrupt("app DAG");
    roots.push_back(&dag.root);
  }
  absl::Status st = LayOutCode(im->vars, nodes, exc_class, exc_child,
                               std::move(roots), &im->code);
  return st.ok() ? st : Corrupt(std::string(st.message()));
}

// Formats 2 to 5 stored sparse nodes unpadded (checked as such): lay the
// code out again, as the compiler now would. REQUIRES: the code passed the
// check above.
absl::Status SnapshotReader::UpgradeUnpaddedCode(CompiledPolicy::Impl* im) {
  std::vector<BuiltNode> nodes;
  std::vector<uint32_t> exc_class, exc_child;
  const std::vector<uint32_t>& code = im->code;
  std::vector<uint32_t> node_at(code.size());  // Offset to node id.
  auto built = [&](uint32_t ref) {
    return (ref & kLeafBit) ? ref : node_at[ref];
  };
  for (uint32_t at = 0; at < code.size();) {
    const uint32_t* n = &code[at];
    const uint32_t count = n[1];
    BuiltNode node{NodeVar(n), 0, static_cast<uint32_t>(exc_class.size()),
                   count};
    if (NodeSparse(n)) {
      node.dflt = built(n[2]);
      for (uint32_t k = 0; k < count; ++k) {
        exc_class.push_back(n[3 + k]);
        exc_child.push_back(built(n[3 + count + k]));
      }
      at += 3 + 2 * count;
    } else {
      node.dflt = kDenseNode;
      for (uint32_t k = 0; k < count; ++k) {
        exc_class.push_back(k);
        exc_child.push_back(built(n[2 + k]));
      }
      at += 2 + count;
    }
    node_at[static_cast<uint32_t>(&n[0] - code.data())] =
        static_cast<uint32_t>(nodes.size());
    nodes.push_back(node);
  }
  std::vector<uint32_t*> roots;
  for (AppDag& dag : im->apps) {
    dag.root = built(dag.root);
    roots.push_back(&dag.root);
    for (uint32_t& root : dag.layer_roots) {
      root = built(root);
      roots.push_back(&root);
    }
  }
  absl::Status st = LayOutCode(im->vars, nodes, exc_class, exc_child,
                               std::move(roots), &im->code);
  if (!st.ok()) return Corrupt(std::string(st.message()));
  CountCode(im->code, &im->stats.nodes, &im->stats.edges);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CompiledPolicy>> LoadSnapshot(
    std::string_view bytes, const SnapshotLimits& limits) {
  SnapshotReader reader(bytes, limits);
  auto s = reader.Verify();
  if (!s.ok()) return s.status();
  return reader.Decode(**s);
}

absl::StatusOr<SnapshotInfo> InspectSnapshot(std::string_view bytes,
                                             const SnapshotLimits& limits) {
  SnapshotReader reader(bytes, limits);
  auto s = reader.Verify();
  if (!s.ok()) return s.status();
  SnapshotInfo info;
  info.format_version = (*s)->format_version();
  auto str = [](const flatbuffers::String* v) {
    return v ? v->str() : std::string();
  };
  info.library_version = str((*s)->library_version());
  info.policy_name = str((*s)->policy_name());
  info.policy_version = str((*s)->policy_version());
  info.policy_hash = str((*s)->policy_hash());
  info.bytes = static_cast<int64_t>(bytes.size());
  return info;
}

absl::StatusOr<std::unique_ptr<CompiledPolicy>> LoadSnapshotFile(
    const std::string& path, const SnapshotLimits& limits) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(path + ": cannot open snapshot");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return absl::NotFoundError(path + ": cannot stat snapshot");
  }
  if (st.st_size > limits.max_bytes) {
    ::close(fd);
    return absl::ResourceExhaustedError(path +
                                        ": snapshot larger than the limit");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return absl::DataLossError(path + ": empty snapshot");
  }
  void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                     MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return absl::InternalError(path + ": mmap failed");
  auto result = LoadSnapshot(std::string_view(static_cast<const char*>(map),
                                              static_cast<size_t>(st.st_size)),
                             limits);
  ::munmap(map, static_cast<size_t>(st.st_size));
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        path + ": " + std::string(result.status().message()));
  }
  return result;
}

}  // namespace birthright
