#pragma once
/// \file ids.hpp
/// Typed identifiers (STYLE principle 6): a PersonId cannot be passed where a JourneyId is
/// expected. Identifiers are opaque strings chosen by the operator (e.g. `P0001`); they are
/// the keys of the exchange format and of the store.

#include <compare>
#include <functional>
#include <string>
#include <string_view>

namespace ctai {

/// A strongly typed string identifier.
template <class Tag>
class Id {
public:
    Id() = default;
    explicit Id(std::string value) : value_(std::move(value)) {}
    explicit Id(std::string_view value) : value_(value) {}
    explicit Id(const char* value) : value_(value) {}
    const std::string& str() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    friend auto operator<=>(const Id&, const Id&) = default;
    friend bool operator==(const Id&, const Id&) = default;

private:
    std::string value_;
};

struct PersonTag {};
struct HouseholdTag {};
struct JourneyTag {};
struct ReferralTag {};
struct ActivityTag {};
struct ContractTag {};

using PersonId = Id<PersonTag>;
using HouseholdId = Id<HouseholdTag>;
using JourneyId = Id<JourneyTag>;
using ReferralId = Id<ReferralTag>;
using ActivityId = Id<ActivityTag>;
using ContractId = Id<ContractTag>;

}  // namespace ctai

template <class Tag>
struct std::hash<ctai::Id<Tag>> {
    std::size_t operator()(const ctai::Id<Tag>& id) const noexcept {
        return std::hash<std::string>{}(id.str());
    }
};
