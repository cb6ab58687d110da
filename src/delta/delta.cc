// Person deltas (SPEC §6): diffing two answers, the fast path on compact
// DAG answers, and the reference twin. See delta.h.
#include "birthright/delta.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "birthright/reference_evaluator.h"
#include "delta/delta_internal.h"
#include "util/json.h"
#include "util/text.h"

namespace birthright {

using delta_internal::EntKey;
using delta_internal::SameGrant;

std::string_view DeltaKindName(DeltaKind kind) {
  switch (kind) {
    case DeltaKind::kJoiner:
      return "joiner";
    case DeltaKind::kMover:
      return "mover";
    case DeltaKind::kLeaver:
      return "leaver";
    case DeltaKind::kUnchanged:
      return "unchanged";
  }
  return "unchanged";
}

namespace {

void AppendEntArray(std::string* out, const std::vector<Entitlement>& v) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(EntitlementToJson(v[i]));
  }
  out->push_back(']');
}

bool SameScopes(const std::vector<std::string>& a,
                const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!EqualsIgnoreCase(a[i], b[i])) return false;
  }
  return true;
}

bool SameValue(const Value& a, const Value& b) {
  if (a.present != b.present) return false;
  if (!a.present) return true;
  return a.scalar == b.scalar && a.members == b.members;
}

}  // namespace

std::string PersonDeltaToJson(const PersonDelta& d) {
  std::string out = "{\"person\":";
  AppendJsonString(&out, d.person_id);
  out += ",\"kind\":";
  AppendJsonString(&out, DeltaKindName(d.kind));
  out += ",\"add\":";
  AppendEntArray(&out, d.add);
  out += ",\"remove\":";
  AppendEntArray(&out, d.remove);
  out += ",\"change\":[";
  for (size_t i = 0; i < d.change.size(); ++i) {
    const EntitlementChange& c = d.change[i];
    if (i > 0) out += ",";
    out += "{\"app\":";
    AppendJsonString(&out, c.to.app);
    out += ",\"instance\":";
    AppendJsonString(&out, c.to.instance);
    out += ",\"from\":" + EntitlementToJson(c.from) +
           ",\"to\":" + EntitlementToJson(c.to) + "}";
  }
  out += "],\"keep\":";
  AppendEntArray(&out, d.keep);
  out += "}";
  return out;
}

void DiffEntitlements(const std::vector<Entitlement>& before,
                      const std::vector<Entitlement>& after, PersonDelta* out) {
  out->add.clear();
  out->remove.clear();
  out->change.clear();
  out->keep.clear();
  // Index `before` by folded key; lists are short (one entry per app
  // instance), so a sorted vector beats a hash map.
  std::vector<std::pair<std::string, size_t>> index;
  index.reserve(before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    index.emplace_back(EntKey(before[i].app, before[i].instance), i);
  }
  std::sort(index.begin(), index.end());
  std::vector<bool> matched(before.size(), false);
  for (const Entitlement& a : after) {
    const std::string key = EntKey(a.app, a.instance);
    auto it = std::lower_bound(
        index.begin(), index.end(), key,
        [](const auto& e, const std::string& k) { return e.first < k; });
    if (it == index.end() || it->first != key) {
      out->add.push_back(a);
      continue;
    }
    matched[it->second] = true;
    const Entitlement& b = before[it->second];
    if (SameGrant(b, a)) {
      out->keep.push_back(a);
    } else {
      out->change.push_back(EntitlementChange{b, a});
    }
  }
  for (size_t i = 0; i < before.size(); ++i) {
    if (!matched[i]) out->remove.push_back(before[i]);
  }
}

std::vector<Entitlement> ApplyDelta(const std::vector<Entitlement>& before,
                                    const PersonDelta& delta) {
  std::vector<std::pair<std::string, Entitlement>> state;
  for (const Entitlement& e : before)
    state.emplace_back(EntKey(e.app, e.instance), e);
  auto find = [&](const Entitlement& e) {
    const std::string key = EntKey(e.app, e.instance);
    return std::find_if(state.begin(), state.end(),
                        [&](const auto& s) { return s.first == key; });
  };
  for (const Entitlement& e : delta.remove) {
    auto it = find(e);
    if (it != state.end()) state.erase(it);
  }
  for (const EntitlementChange& c : delta.change) {
    auto it = find(c.from);
    if (it != state.end()) state.erase(it);
    state.emplace_back(EntKey(c.to.app, c.to.instance), c.to);
  }
  for (const Entitlement& e : delta.keep) {
    auto it = find(e);
    if (it != state.end()) state.erase(it);
    state.emplace_back(EntKey(e.app, e.instance), e);
  }
  for (const Entitlement& e : delta.add)
    state.emplace_back(EntKey(e.app, e.instance), e);
  std::vector<Entitlement> out;
  for (auto& s : state) out.push_back(std::move(s.second));
  std::sort(out.begin(), out.end(),
            [](const Entitlement& a, const Entitlement& b) {
              if (a.app != b.app) return a.app < b.app;
              return a.instance < b.instance;
            });
  return out;
}

bool AttributesDiffer(const BoundPolicy& policy, const Person& a,
                      const Person& b) {
  const BoundPerson ba = BindPerson(policy, a);
  const BoundPerson bb = BindPerson(policy, b);
  if (ba.termination != bb.termination) return true;
  for (size_t i = 0; i < ba.values.size(); ++i) {
    if (!SameValue(ba.values[i], bb.values[i])) return true;
  }
  return false;
}

PersonDelta Delta(const CompiledPolicy& policy, const Person* before,
                  const Person* after, Date as_of) {
  return Delta(policy, before, after, as_of, as_of);
}

PersonDelta Delta(const CompiledPolicy& policy, const Person* before,
                  const Person* after, Date before_as_of, Date as_of) {
  // Buffers are policy-independent, so one per thread is safe to reuse;
  // the slot filler's cache is not (attribute ids), so it is per call.
  thread_local delta_internal::FastScratch scratch;
  delta_internal::SlotFiller filler(policy);
  const std::vector<std::string_view>* bs = nullptr;
  const std::vector<std::string_view>* as = nullptr;
  if (before != nullptr) {
    filler.Fill(*before, &scratch.before_slots);
    bs = &scratch.before_slots;
  }
  if (after != nullptr) {
    filler.Fill(*after, &scratch.after_slots);
    as = &scratch.after_slots;
  }
  std::string id =
      after != nullptr ? after->id : (before != nullptr ? before->id : "");
  return delta_internal::FastDelta(policy, std::move(id), bs, as, before_as_of,
                                   as_of, &scratch);
}

PersonDelta DeltaReference(const BoundPolicy& policy, const Person* before,
                           const Person* after, Date before_as_of, Date as_of) {
  PersonDelta out;
  out.person_id =
      after != nullptr ? after->id : (before != nullptr ? before->id : "");
  Decision bd, ad;
  BoundPerson bb, ab;
  if (before != nullptr) {
    bb = BindPerson(policy, *before);
    bd = EvaluateReference(policy, bb, before_as_of);
  }
  if (after != nullptr) {
    ab = BindPerson(policy, *after);
    ad = EvaluateReference(policy, ab, as_of);
  }
  const bool before_active = before != nullptr && !bd.leaver;
  const bool after_active = after != nullptr && !ad.leaver;
  DiffEntitlements(bd.entitlements, ad.entitlements, &out);
  bool attrs_differ = false;
  if (before_active && after_active) {
    attrs_differ = bb.termination != ab.termination;
    for (size_t i = 0; !attrs_differ && i < bb.values.size(); ++i) {
      attrs_differ = !SameValue(bb.values[i], ab.values[i]);
    }
  }
  out.kind = delta_internal::Classify(before_active, after_active, attrs_differ,
                                      out.has_actions());
  return out;
}

PersonDelta PolicyDelta(const CompiledPolicy& before,
                        const CompiledPolicy& after, const Person& person,
                        Date as_of) {
  thread_local delta_internal::FastScratch scratch;
  PersonDelta out;
  out.person_id = person.id;
  delta_internal::SlotFiller fb(before), fa(after);
  fb.Fill(person, &scratch.before_slots);
  fa.Fill(person, &scratch.after_slots);
  before.Evaluate(scratch.before_slots, as_of, &scratch.before);
  after.Evaluate(scratch.after_slots, as_of, &scratch.after);
  scratch.before.missing.clear();
  scratch.after.missing.clear();
  const Decision bd = before.ToDecision("", scratch.before);
  const Decision ad = after.ToDecision("", scratch.after);
  DiffEntitlements(bd.entitlements, ad.entitlements, &out);
  out.kind = out.has_actions() ? DeltaKind::kMover : DeltaKind::kUnchanged;
  return out;
}

PersonDelta PolicyDeltaReference(const BoundPolicy& before,
                                 const BoundPolicy& after, const Person& person,
                                 Date as_of) {
  PersonDelta out;
  out.person_id = person.id;
  const Decision bd = EvaluateReference(before, person, as_of);
  const Decision ad = EvaluateReference(after, person, as_of);
  DiffEntitlements(bd.entitlements, ad.entitlements, &out);
  out.kind = out.has_actions() ? DeltaKind::kMover : DeltaKind::kUnchanged;
  return out;
}

std::vector<EntitlementImpact> ImpactByEntitlement(
    const std::vector<PersonDelta>& deltas) {
  // Keyed by the spelled (app, instance): deltas from one policy spell
  // every instance one way.
  std::vector<EntitlementImpact> rows;
  std::vector<std::pair<std::pair<std::string, std::string>, size_t>> index;
  auto row = [&](const Entitlement& e) -> EntitlementImpact& {
    std::pair<std::string, std::string> key{e.app, e.instance};
    auto it = std::lower_bound(
        index.begin(), index.end(), key,
        [](const auto& x, const auto& k) { return x.first < k; });
    if (it != index.end() && it->first == key) return rows[it->second];
    index.insert(it, {key, rows.size()});
    rows.push_back(EntitlementImpact{e.app, e.instance, {}, {}, {}});
    return rows.back();
  };
  for (const PersonDelta& d : deltas) {
    for (const Entitlement& e : d.add) row(e).gained.push_back(d.person_id);
    for (const Entitlement& e : d.remove) row(e).lost.push_back(d.person_id);
    for (const EntitlementChange& c : d.change)
      row(c.to).changed.push_back(d.person_id);
  }
  std::vector<EntitlementImpact> out;
  out.reserve(rows.size());
  for (const auto& [key, i] : index) out.push_back(std::move(rows[i]));
  for (EntitlementImpact& r : out) {
    std::sort(r.gained.begin(), r.gained.end());
    std::sort(r.lost.begin(), r.lost.end());
    std::sort(r.changed.begin(), r.changed.end());
  }
  return out;
}

std::string EntitlementImpactToJson(const EntitlementImpact& r) {
  std::string out = "{\"app\":";
  AppendJsonString(&out, r.app);
  out += ",\"instance\":";
  AppendJsonString(&out, r.instance);
  out += ",\"gained\":";
  AppendJsonStringArray(&out, r.gained);
  out += ",\"lost\":";
  AppendJsonStringArray(&out, r.lost);
  out += ",\"changed\":";
  AppendJsonStringArray(&out, r.changed);
  return out + "}";
}

// ---------------------------------------------------------------------------
// Internals.

namespace delta_internal {

std::string EntKey(std::string_view app, std::string_view instance) {
  std::string key = AsciiLowercase(app);
  key.push_back('\x1f');
  key += AsciiLowercase(instance);
  return key;
}

bool SameGrant(const Entitlement& a, const Entitlement& b) {
  return EqualsIgnoreCase(a.level, b.level) && a.expires == b.expires &&
         SameScopes(a.scopes, b.scopes);
}

DeltaKind Classify(bool before_active, bool after_active, bool attrs_differ,
                   bool has_actions) {
  if (!before_active && after_active) return DeltaKind::kJoiner;
  if (before_active && !after_active) return DeltaKind::kLeaver;
  if (before_active && after_active && (attrs_differ || has_actions)) {
    return DeltaKind::kMover;
  }
  // Inactive on both sides: nothing to provision either way, whatever HR
  // edited (docs/deltas.md).
  return DeltaKind::kUnchanged;
}

void SlotFiller::Fill(const Person& person,
                      std::vector<std::string_view>* slots) {
  const int32_t n = policy_->slot_count();
  slots->assign(n, std::string_view());
  if (columns_.size() < person.attributes.size())
    columns_.resize(person.attributes.size());
  for (size_t k = 0; k < person.attributes.size(); ++k) {
    const auto& [name, value] = person.attributes[k];
    Column& c = columns_[k];
    if (!c.valid || c.name != name) {
      const std::string folded = FoldName(name);
      c.valid = true;
      c.name = name;
      c.attr = policy_->policy().FindAttribute(folded);
      c.termination = folded == "terminationdate" || folded == "leavedate";
    }
    if (c.attr >= 0) (*slots)[c.attr] = value;
    // BindPerson keeps the last non-empty termination / leave date.
    if (c.termination && !TrimWhitespace(value).empty())
      (*slots)[n - 1] = value;
  }
}

bool SlotsDiffer(const CompiledPolicy& policy,
                 const std::vector<std::string_view>& a,
                 const std::vector<std::string_view>& b) {
  const auto& attrs = policy.policy().attributes();
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (a[i] == b[i]) continue;  // Byte-equal raw text types the same.
    if (!SameValue(attrs[i].ParseValue(a[i]), attrs[i].ParseValue(b[i])))
      return true;
  }
  const size_t t = a.size() - 1;
  return a[t] != b[t] && ParseIsoDate(a[t]) != ParseIsoDate(b[t]);
}

// Whether two compact scope ranges surely list the same scopes: ranges of
// the policy's pool by position, merged ranges (kBufferRange) by scope.
// False sends the entitlement to the string comparison.
bool SameScopes(const CompiledPolicy& policy, const DecisionBuffer& x,
                const CompactEntitlement& xe, const DecisionBuffer& y,
                const CompactEntitlement& ye) {
  if (xe.scopes_count != ye.scopes_count) return false;
  if (((xe.scopes_begin | ye.scopes_begin) & kBufferRange) == 0)
    return xe.scopes_begin == ye.scopes_begin;
  for (uint32_t k = 0; k < xe.scopes_count; ++k) {
    // Scope strings are interned: one object per distinct scope.
    if (&policy.scope(x, xe.scopes_begin + k) !=
        &policy.scope(y, ye.scopes_begin + k)) {
      return false;
    }
  }
  return true;
}

PersonDelta FastDelta(const CompiledPolicy& policy, std::string person_id,
                      const std::vector<std::string_view>* before_slots,
                      const std::vector<std::string_view>* after_slots,
                      Date before_as_of, Date as_of, FastScratch* s) {
  PersonDelta out;
  out.person_id = std::move(person_id);
  const DecisionBuffer* b = nullptr;
  const DecisionBuffer* a = nullptr;
  bool identical_inputs = false;
  if (before_slots != nullptr) {
    policy.Evaluate(*before_slots, before_as_of, &s->before);
    b = &s->before;
  }
  if (after_slots != nullptr) {
    // The common HR-sync case: the record did not change at all, so the
    // answer cannot either (same date). Evaluate once.
    identical_inputs = before_slots != nullptr && before_as_of == as_of &&
                       *before_slots == *after_slots;
    if (identical_inputs) {
      a = b;
    } else {
      policy.Evaluate(*after_slots, as_of, &s->after);
      a = &s->after;
    }
  }
  const bool before_active = b != nullptr && !b->leaver;
  const bool after_active = a != nullptr && !a->leaver;
  static const DecisionBuffer kEmpty;
  if (b == nullptr) b = &kEmpty;
  if (a == nullptr) a = &kEmpty;

  // Compact pass: an (instance, level, scope range, expiry) match is a
  // keep without looking at strings; everything else of `before` that the
  // delta may carry is converted once.
  const size_t instances = policy.policy().instances().size();
  if (s->position.size() != instances) s->position.assign(instances, -1);
  for (size_t i = 0; i < b->entitlements.size(); ++i) {
    s->position[b->entitlements[i].instance] = static_cast<int32_t>(i);
  }
  std::vector<uint8_t>& fast_keep = s->fast_keep;
  std::vector<int32_t>& before_of = s->before_of;
  std::vector<uint8_t>& before_used = s->before_used;
  std::vector<int32_t>& need_of_before = s->need_of_before;
  fast_keep.assign(a->entitlements.size(), 0);
  before_of.assign(a->entitlements.size(), -1);
  before_used.assign(b->entitlements.size(), 0);
  need_of_before.assign(b->entitlements.size(), -1);
  s->need.entitlements.clear();
  s->need.missing.clear();
  // `need` holds entitlements of `before`: their merged ranges index its
  // pool.
  s->need.pool.assign(b->pool.begin(), b->pool.end());
  for (size_t i = 0; i < a->entitlements.size(); ++i) {
    const CompactEntitlement& ae = a->entitlements[i];
    const int32_t j = s->position[ae.instance];
    if (j < 0) continue;
    before_of[i] = j;
    before_used[j] = 1;
    const CompactEntitlement& be = b->entitlements[j];
    if (be.level == ae.level && be.expires == ae.expires &&
        SameScopes(policy, *b, be, *a, ae)) {
      fast_keep[i] = 1;
    } else {
      need_of_before[j] = static_cast<int32_t>(s->need.entitlements.size());
      s->need.entitlements.push_back(be);
    }
  }
  for (size_t j = 0; j < b->entitlements.size(); ++j) {
    if (!before_used[j]) {
      need_of_before[j] = static_cast<int32_t>(s->need.entitlements.size());
      s->need.entitlements.push_back(b->entitlements[j]);
    }
  }
  for (const CompactEntitlement& be : b->entitlements)
    s->position[be.instance] = -1;

  Decision ad;
  if (!a->entitlements.empty()) ad = policy.ToDecision("", *a);
  Decision bd;
  if (!s->need.entitlements.empty()) bd = policy.ToDecision("", s->need);

  // Strings dominate the cost, so move whole vectors where the shape
  // allows (a joiner's adds, a leaver's removes, an unchanged person's
  // keeps) and reserve exactly otherwise.
  size_t matched = 0, fast = 0;
  for (size_t i = 0; i < before_of.size(); ++i) {
    matched += before_of[i] >= 0;
    fast += fast_keep[i];
  }
  if (matched == 0 && fast == 0) {
    out.add = std::move(ad.entitlements);
  } else if (fast == ad.entitlements.size()) {
    out.keep = std::move(ad.entitlements);
  } else {
    out.add.reserve(ad.entitlements.size() - matched);
    out.keep.reserve(matched);
    out.change.reserve(matched - fast);
    for (size_t i = 0; i < ad.entitlements.size(); ++i) {
      Entitlement& ae = ad.entitlements[i];
      if (before_of[i] < 0) {
        out.add.push_back(std::move(ae));
      } else if (fast_keep[i]) {
        out.keep.push_back(std::move(ae));
      } else {
        Entitlement& be = bd.entitlements[need_of_before[before_of[i]]];
        if (SameGrant(be, ae)) {
          out.keep.push_back(std::move(ae));
        } else {
          out.change.push_back(EntitlementChange{std::move(be), std::move(ae)});
        }
      }
    }
  }
  if (matched == 0) {
    // Nothing of `before` was matched: `need` holds all of it, in order.
    out.remove = std::move(bd.entitlements);
  } else if (matched < b->entitlements.size()) {
    out.remove.reserve(b->entitlements.size() - matched);
    for (size_t j = 0; j < b->entitlements.size(); ++j) {
      if (!before_used[j])
        out.remove.push_back(std::move(bd.entitlements[need_of_before[j]]));
    }
  }

  bool attrs_differ = false;
  if (before_active && after_active && !identical_inputs) {
    attrs_differ = SlotsDiffer(policy, *before_slots, *after_slots);
  }
  out.kind =
      Classify(before_active, after_active, attrs_differ, out.has_actions());
  return out;
}

void ParallelFor(int64_t n, int threads,
                 const std::function<void(int64_t, int64_t)>& fn) {
  if (threads <= 0)
    threads =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  constexpr int64_t kChunk = 256;
  threads = static_cast<int>(
      std::min<int64_t>(threads, std::max<int64_t>(1, n / kChunk)));
  if (threads <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  std::atomic<int64_t> next{0};
  auto worker = [&] {
    while (true) {
      const int64_t begin = next.fetch_add(kChunk);
      if (begin >= n) break;
      fn(begin, std::min(n, begin + kChunk));
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
}

absl::Status DuplicateIdError(const Population& pop, const Person& person) {
  std::string where = person.location.file.empty()
                          ? pop.file
                          : FormatSourceLocation(person.location);
  if (where.empty()) where = "population";
  return absl::InvalidArgumentError(where + ": duplicate person id '" +
                                    person.id +
                                    "'; expected one row per person");
}

absl::Status CheckUniqueIds(const Population& pop) {
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(pop.people.size());
  for (const Person& p : pop.people) {
    if (!seen.insert(p.id).second) return DuplicateIdError(pop, p);
  }
  return absl::OkStatus();
}

}  // namespace delta_internal
}  // namespace birthright
