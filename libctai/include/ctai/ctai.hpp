#pragma once
/// \file ctai.hpp
/// The whole public API of libctai.
#include <ctai/contract.hpp>
#include <ctai/date.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>
#include <ctai/ids.hpp>
#include <ctai/model.hpp>
#include <ctai/nationality.hpp>
#include <ctai/policy.hpp>
#include <ctai/version.hpp>
#include <ctai/vocab.hpp>
