// R1: nationality codes and classes.
#include <ctai/nationality.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include <ctai/error.hpp>

namespace ctai {
namespace {

struct Country {
    std::string_view alpha2;
    std::string_view alpha3;
};

// ISO 3166-1 (249 officially assigned codes), sorted by alpha-2, plus XK/XKX (Kosovo,
// user-assigned code in general use by administrations).
constexpr auto countries = std::to_array<Country>({
    {"AD", "AND"}, {"AE", "ARE"}, {"AF", "AFG"}, {"AG", "ATG"}, {"AI", "AIA"}, {"AL", "ALB"},
    {"AM", "ARM"}, {"AO", "AGO"}, {"AQ", "ATA"}, {"AR", "ARG"}, {"AS", "ASM"}, {"AT", "AUT"},
    {"AU", "AUS"}, {"AW", "ABW"}, {"AX", "ALA"}, {"AZ", "AZE"}, {"BA", "BIH"}, {"BB", "BRB"},
    {"BD", "BGD"}, {"BE", "BEL"}, {"BF", "BFA"}, {"BG", "BGR"}, {"BH", "BHR"}, {"BI", "BDI"},
    {"BJ", "BEN"}, {"BL", "BLM"}, {"BM", "BMU"}, {"BN", "BRN"}, {"BO", "BOL"}, {"BQ", "BES"},
    {"BR", "BRA"}, {"BS", "BHS"}, {"BT", "BTN"}, {"BV", "BVT"}, {"BW", "BWA"}, {"BY", "BLR"},
    {"BZ", "BLZ"}, {"CA", "CAN"}, {"CC", "CCK"}, {"CD", "COD"}, {"CF", "CAF"}, {"CG", "COG"},
    {"CH", "CHE"}, {"CI", "CIV"}, {"CK", "COK"}, {"CL", "CHL"}, {"CM", "CMR"}, {"CN", "CHN"},
    {"CO", "COL"}, {"CR", "CRI"}, {"CU", "CUB"}, {"CV", "CPV"}, {"CW", "CUW"}, {"CX", "CXR"},
    {"CY", "CYP"}, {"CZ", "CZE"}, {"DE", "DEU"}, {"DJ", "DJI"}, {"DK", "DNK"}, {"DM", "DMA"},
    {"DO", "DOM"}, {"DZ", "DZA"}, {"EC", "ECU"}, {"EE", "EST"}, {"EG", "EGY"}, {"EH", "ESH"},
    {"ER", "ERI"}, {"ES", "ESP"}, {"ET", "ETH"}, {"FI", "FIN"}, {"FJ", "FJI"}, {"FK", "FLK"},
    {"FM", "FSM"}, {"FO", "FRO"}, {"FR", "FRA"}, {"GA", "GAB"}, {"GB", "GBR"}, {"GD", "GRD"},
    {"GE", "GEO"}, {"GF", "GUF"}, {"GG", "GGY"}, {"GH", "GHA"}, {"GI", "GIB"}, {"GL", "GRL"},
    {"GM", "GMB"}, {"GN", "GIN"}, {"GP", "GLP"}, {"GQ", "GNQ"}, {"GR", "GRC"}, {"GS", "SGS"},
    {"GT", "GTM"}, {"GU", "GUM"}, {"GW", "GNB"}, {"GY", "GUY"}, {"HK", "HKG"}, {"HM", "HMD"},
    {"HN", "HND"}, {"HR", "HRV"}, {"HT", "HTI"}, {"HU", "HUN"}, {"ID", "IDN"}, {"IE", "IRL"},
    {"IL", "ISR"}, {"IM", "IMN"}, {"IN", "IND"}, {"IO", "IOT"}, {"IQ", "IRQ"}, {"IR", "IRN"},
    {"IS", "ISL"}, {"IT", "ITA"}, {"JE", "JEY"}, {"JM", "JAM"}, {"JO", "JOR"}, {"JP", "JPN"},
    {"KE", "KEN"}, {"KG", "KGZ"}, {"KH", "KHM"}, {"KI", "KIR"}, {"KM", "COM"}, {"KN", "KNA"},
    {"KP", "PRK"}, {"KR", "KOR"}, {"KW", "KWT"}, {"KY", "CYM"}, {"KZ", "KAZ"}, {"LA", "LAO"},
    {"LB", "LBN"}, {"LC", "LCA"}, {"LI", "LIE"}, {"LK", "LKA"}, {"LR", "LBR"}, {"LS", "LSO"},
    {"LT", "LTU"}, {"LU", "LUX"}, {"LV", "LVA"}, {"LY", "LBY"}, {"MA", "MAR"}, {"MC", "MCO"},
    {"MD", "MDA"}, {"ME", "MNE"}, {"MF", "MAF"}, {"MG", "MDG"}, {"MH", "MHL"}, {"MK", "MKD"},
    {"ML", "MLI"}, {"MM", "MMR"}, {"MN", "MNG"}, {"MO", "MAC"}, {"MP", "MNP"}, {"MQ", "MTQ"},
    {"MR", "MRT"}, {"MS", "MSR"}, {"MT", "MLT"}, {"MU", "MUS"}, {"MV", "MDV"}, {"MW", "MWI"},
    {"MX", "MEX"}, {"MY", "MYS"}, {"MZ", "MOZ"}, {"NA", "NAM"}, {"NC", "NCL"}, {"NE", "NER"},
    {"NF", "NFK"}, {"NG", "NGA"}, {"NI", "NIC"}, {"NL", "NLD"}, {"NO", "NOR"}, {"NP", "NPL"},
    {"NR", "NRU"}, {"NU", "NIU"}, {"NZ", "NZL"}, {"OM", "OMN"}, {"PA", "PAN"}, {"PE", "PER"},
    {"PF", "PYF"}, {"PG", "PNG"}, {"PH", "PHL"}, {"PK", "PAK"}, {"PL", "POL"}, {"PM", "SPM"},
    {"PN", "PCN"}, {"PR", "PRI"}, {"PS", "PSE"}, {"PT", "PRT"}, {"PW", "PLW"}, {"PY", "PRY"},
    {"QA", "QAT"}, {"RE", "REU"}, {"RO", "ROU"}, {"RS", "SRB"}, {"RU", "RUS"}, {"RW", "RWA"},
    {"SA", "SAU"}, {"SB", "SLB"}, {"SC", "SYC"}, {"SD", "SDN"}, {"SE", "SWE"}, {"SG", "SGP"},
    {"SH", "SHN"}, {"SI", "SVN"}, {"SJ", "SJM"}, {"SK", "SVK"}, {"SL", "SLE"}, {"SM", "SMR"},
    {"SN", "SEN"}, {"SO", "SOM"}, {"SR", "SUR"}, {"SS", "SSD"}, {"ST", "STP"}, {"SV", "SLV"},
    {"SX", "SXM"}, {"SY", "SYR"}, {"SZ", "SWZ"}, {"TC", "TCA"}, {"TD", "TCD"}, {"TF", "ATF"},
    {"TG", "TGO"}, {"TH", "THA"}, {"TJ", "TJK"}, {"TK", "TKL"}, {"TL", "TLS"}, {"TM", "TKM"},
    {"TN", "TUN"}, {"TO", "TON"}, {"TR", "TUR"}, {"TT", "TTO"}, {"TV", "TUV"}, {"TW", "TWN"},
    {"TZ", "TZA"}, {"UA", "UKR"}, {"UG", "UGA"}, {"UM", "UMI"}, {"US", "USA"}, {"UY", "URY"},
    {"UZ", "UZB"}, {"VA", "VAT"}, {"VC", "VCT"}, {"VE", "VEN"}, {"VG", "VGB"}, {"VI", "VIR"},
    {"VN", "VNM"}, {"VU", "VUT"}, {"WF", "WLF"}, {"WS", "WSM"}, {"YE", "YEM"}, {"YT", "MYT"},
    {"ZA", "ZAF"}, {"ZM", "ZMB"}, {"ZW", "ZWE"},
    {"XK", "XKX"}
});

constexpr std::array<std::string_view, 27> eu27 = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
constexpr std::array<std::string_view, 4> eea_ch = {"IS", "LI", "NO", "CH"};

// Two-letter codes as an index 0..675 (-1 for anything else), and the member lists as
// tables over it: a membership test is one load (the rules call it for every person).
constexpr int two_letter_index(std::string_view c) {
    if (c.size() != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') return -1;
    return (c[0] - 'A') * 26 + (c[1] - 'A');
}
template <std::size_t N>
constexpr std::array<bool, 676> table_of(const std::array<std::string_view, N>& list) {
    std::array<bool, 676> t{};
    for (auto c : list) t[static_cast<std::size_t>(two_letter_index(c))] = true;
    return t;
}
constexpr auto eu27_table = table_of(eu27);
constexpr auto eea_ch_table = table_of(eea_ch);
bool in_table(const std::array<bool, 676>& t, std::string_view code) {
    const int i = two_letter_index(code);
    return i >= 0 && t[static_cast<std::size_t>(i)];
}

}  // namespace

std::string normalize_nationality(std::string_view code) {
    std::string up;
    up.reserve(code.size());
    for (char c : code) {
        if (c == ' ' || c == '\t') continue;
        up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (up == "STATELESS" || up == "UNKNOWN") return up;
    if (up == "EL") return "GR";
    if (up == "UK") return "GB";
    for (const auto& c : countries) {
        if (up == c.alpha2) return std::string(c.alpha2);
        if (up == c.alpha3) return std::string(c.alpha2);
    }
    // The code is not echoed: nationality is personal data (R9).
    throw ValidationError("unknown nationality code (expected ISO 3166-1 alpha-2 or alpha-3, "
                          "STATELESS or UNKNOWN)",
                          "nationalities");
}

bool is_eu_member(std::string_view code, Date on) {
    if (in_table(eu27_table, code)) return true;
    // Brexit: the United Kingdom is treated as a member state until the end of the
    // transition period, 2020-12-31.
    return code == "GB" && on <= brexit_transition_end;
}

NationalityClass nationality_class(std::span<const std::string> codes, Date on) {
    constexpr int fr = two_letter_index("FR"), gb = two_letter_index("GB");
    bool eu = false, third = false;
    for (const auto& c : codes) {
        const int i = two_letter_index(c);
        if (i < 0) {
            if (c == "UNKNOWN") continue;
            third = true;  // STATELESS
            continue;
        }
        if (i == fr) return NationalityClass::french;
        const auto k = static_cast<std::size_t>(i);
        if (eu27_table[k] || eea_ch_table[k] || (i == gb && on <= brexit_transition_end))
            eu = true;
        else
            third = true;  // a valid state code
    }
    if (eu) return NationalityClass::eu_eea_ch;
    if (third) return NationalityClass::third_country;
    return NationalityClass::undetermined;
}

}  // namespace ctai
