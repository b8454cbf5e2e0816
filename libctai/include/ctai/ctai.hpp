#pragma once
/// \file ctai.hpp
/// The whole public API of libctai.
#include <ctai/columns.hpp>
#include <ctai/contract.hpp>
#include <ctai/date.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>
#include <ctai/exchange.hpp>
#include <ctai/ids.hpp>
#include <ctai/journeys.hpp>
#include <ctai/kernels.hpp>
#include <ctai/model.hpp>
#include <ctai/nationality.hpp>
#include <ctai/orientations.hpp>
#include <ctai/policy.hpp>
#include <ctai/referrals.hpp>
#include <ctai/settings.hpp>
#include <ctai/report.hpp>
#include <ctai/stats.hpp>
#include <ctai/store.hpp>
#include <ctai/version.hpp>
#include <ctai/vocab.hpp>
#include <ctai/windows.hpp>
