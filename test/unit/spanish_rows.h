// Labelled Spanish support messages for the core's tests: `per_label` rows
// of each of three intents (return_process, shipping_problem, payment_issue),
// the same rows for a given count.
#pragma once

#include "dataset.h"

#include <cstdio>
#include <utility>
#include <vector>

namespace intent {
namespace test {

inline std::vector<LabeledText> spanish_rows(size_t per_label) {
    const char *objects[] = {"la camiseta", "el pantalón", "las zapatillas", "el abrigo",  "la mochila",
                             "el vestido",  "la gorra",    "el reloj",       "la bufanda", "el bolso"};
    const char *returns[] = {"quiero devolver %s", "cómo devuelvo %s", "necesito devolver %s ya"};
    const char *shipping[] = {"dónde está %s que pedí", "%s no ha llegado", "el envío de %s va con retraso"};
    const char *payment[] = {"me cobraron dos veces %s", "no puedo pagar %s con tarjeta",
                             "el pago de %s fue rechazado"};
    const std::pair<const char *const *, const char *> intents[] = {
        {returns, "return_process"}, {shipping, "shipping_problem"}, {payment, "payment_issue"}};
    std::vector<LabeledText> out;
    char buf[160];
    for (size_t i = 0; i < per_label; ++i)
        for (const auto &in : intents) {
            std::snprintf(buf, sizeof buf, in.first[i % 3], objects[(i / 3 + i) % 10]);
            LabeledText t;
            t.text = buf;
            t.label = in.second;
            out.push_back(t);
        }
    return out;
}

} // namespace test
} // namespace intent
