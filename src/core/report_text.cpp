// Every fixed text of the HTML training report, in English and Spanish, in
// one table (report_html.h: text()). The English texts are 0.2.1's; the
// Spanish ones address a support team (usted, neutral Spanish). Intent
// labels, codes (deploy reasons, evidence) and numbers are never translated.
// {0}..{9} are filled by subst(); a text that ends up inside HTML holds
// markup only where the English one did. A key ending in ".labels" is the
// wording of a label classifier's report (labels, not intents) where it
// differs: text_for() picks it (issue 36: an `escalated` true/false report
// said "Intenciones"). Numbers in a text are written as the page writes them
// (0,8 in Spanish).
#include "errors.h"
#include "report_html.h"

#include <string>
#include <unordered_map>

namespace intent::report {

namespace {

struct Entry {
    const char *key, *en, *es;
};

const Entry kTexts[] = {
    // SQL texts: pg_catalog.format() patterns (%s) for intent_output_text()
    {"alert_message", "%s is %s (critical when %s %s)", "%s es %s (cr\xC3\xADtico si %s %s)"},
    // ai_metric_alerts: one per metric, %1$s its value, %2$s its threshold
    // (numbers already written by intent_output_number()); the English ones
    // are 0.3.1's alert_message filled in
    {"alert_intent_accuracy", "intent_accuracy is %1$s (critical when < %2$s)",
     "La exactitud de las intenciones es %1$s %% (cr\xC3\xADtico por debajo de %2$s %%)"},
    {"alert_escalation_rate", "escalation_rate is %1$s (critical when > %2$s)",
     "La tasa de escalado es %1$s %% (cr\xC3\xADtico por encima de %2$s %%)"},
    {"alert_avg_confidence", "avg_confidence is %1$s (critical when < %2$s)",
     "La confianza media es %1$s %% (cr\xC3\xADtico por debajo de %2$s %%)"},
    {"alert_model_f1", "model_f1 is %1$s (critical when < %2$s)",
     "El F1 del modelo activo es %1$s (cr\xC3\xADtico por debajo de %2$s)"},
    {"alert_training_samples", "training_samples is %1$s (critical when < %2$s)",
     "Hay %1$s muestras de entrenamiento (cr\xC3\xADtico por debajo de %2$s)"},
    {"alert_misclassification_rate", "misclassification_rate is %1$s (critical when > %2$s)",
     "La tasa de errores de clasificaci\xC3\xB3n es %1$s %% (cr\xC3\xADtico por encima de %2$s %%)"},
    // retraining_failing (ai_metric_alerts and ai_classifier_alerts): %1$s
    // the hours since the failed attempt started, %3$s its start, %4$s
    // "SQLSTATE xxxxx" (or why it is unknown), %5$s when it may retry
    {"alert_retraining_failing",
     "scheduled retraining is failing: its last attempt, started %3$s (%1$s h ago), failed (%4$s); it backs "
     "off "
     "until %5$s or until enough new rows arrive",
     "El reentrenamiento programado est\xC3\xA1 fallando: su \xC3\xBAltimo intento, iniciado el %3$s (hace "
     "%1$s h), "
     "fall\xC3\xB3 (%4$s); espera hasta el %5$s o hasta que lleguen suficientes filas nuevas"},
    // why scheduled retraining did not run (retrain_if_needed(),
    // should_retrain()'s decision, retrain_classifiers()): the key is the
    // reason's code
    {"retrain_few_new_samples", "not enough new samples since the last training",
     "no hay suficientes muestras nuevas desde el \xC3\xBAltimo entrenamiento"},
    {"retrain_few_samples", "not enough training samples", "no hay suficientes muestras de entrenamiento"},
    {"retrain_few_new_rows", "not enough new rows since the last training",
     "no hay suficientes filas nuevas desde el \xC3\xBAltimo entrenamiento"},
    {"retrain_backing_off", "backing off after a failed run", "en espera tras una ejecuci\xC3\xB3n fallida"},
    {"retrain_backing_off_run",
     "backing off after the failed run %s at %s: next try after %s, or once %s rows are added or changed "
     "since it started",
     "en espera tras la ejecuci\xC3\xB3n fallida %s del %s: el pr\xC3\xB3ximo intento ser\xC3\xA1 "
     "despu\xC3\xA9s del %s, o cuando se hayan a\xC3\xB1"
     "adido o modificado %s filas desde que empez\xC3\xB3"},
    {"retrain_run_rolled_back", "(its row rolled back: it raised an error, or its session ended)",
     "(su fila se deshizo: lanz\xC3\xB3 un error, o su sesi\xC3\xB3n termin\xC3\xB3)"},
    {"retrain_in_progress", "another training run is in progress", "hay otro entrenamiento en curso"},
    {"retrain_deferred", "not tried: this call records an interrupted attempt first",
     "no se intent\xC3\xB3: esta llamada registra primero un intento interrumpido"},
    {"retrain_interrupted_first",
     "not tried: its last attempt was interrupted; it is tried first in a later call",
     "no se intent\xC3\xB3: su \xC3\xBAltimo intento se interrumpi\xC3\xB3; se intentar\xC3\xA1 "
     "primero en una llamada posterior"},
    {"retrain_conflict", "the training conflicted with a concurrent transaction",
     "el entrenamiento entr\xC3\xB3 en conflicto con una transacci\xC3\xB3n concurrente"},
    {"retrain_not_counted", "its new rows could not be counted", "no se pudieron contar sus filas nuevas"},
    {"rq_label_error",
     "out-of-fold model predicts %s at %s; label %s got %s (rows labelled %s get %s on average)",
     "el modelo de validaci\xC3\xB3n cruzada predice %s con %s; la etiqueta %s obtuvo %s (las filas "
     "etiquetadas %s "
     "obtienen %s de media)"},
    {"rq_live_no_intent", "live message with no detected intent",
     "mensaje en producci\xC3\xB3n sin intenci\xC3\xB3n detectada"},
    {"rq_live_no_confidence", "live prediction %s without a confidence score",
     "predicci\xC3\xB3n en producci\xC3\xB3n %s sin puntuaci\xC3\xB3n de confianza"},
    {"rq_live_below", "live prediction %s at confidence %s, below the abstain threshold %s",
     "predicci\xC3\xB3n en producci\xC3\xB3n %s con confianza %s, por debajo del umbral de abstenci\xC3\xB3n "
     "%s"},
    {"rq_no_intent", "%s row without an intent", "fila %s sin intenci\xC3\xB3n"},
    {"rq_no_run", "%s row; no training run has completed yet",
     "fila %s; todav\xC3\xAD"
     "a no se ha completado ninguna ejecuci\xC3\xB3n de entrenamiento"},
    {"rq_no_prediction", "%s row; the latest training run has no out-of-fold prediction for label %s",
     "fila %s; la \xC3\xBAltima ejecuci\xC3\xB3n de entrenamiento no tiene predicci\xC3\xB3n de "
     "validaci\xC3\xB3n "
     "cruzada para la etiqueta %s"},
    {"rq_agrees", "%s row; out-of-fold model agrees with label %s at %s",
     "fila %s; el modelo de validaci\xC3\xB3n cruzada coincide con la etiqueta %s con %s"},
    {"rq_disagrees",
     "%s row; out-of-fold model predicts %s at %s, but label %s got %s, not below the %s rows labelled %s "
     "get on "
     "average",
     "fila %s; el modelo de validaci\xC3\xB3n cruzada predice %s con %s, pero la etiqueta %s obtuvo %s, no "
     "por debajo "
     "del %s que obtienen de media las filas etiquetadas %s"},
    // the Markdown report (57_report.sql) and its hints: format() patterns;
    // Markdown syntax, codes and numbers are the same in both languages
    // The decimal mark of a number in a sentence or a report for people
    // (intent_output_number(), the Markdown report); JSON keeps its point.
    {"number_decimal_mark", ".", ","},
    {"md_hint_format", "Use markdown or html.", "Use markdown o html."},
    {"md_hint_train", "Run train_intent_model() first.", "Ejecute primero train_intent_model()."},
    {"md_title", "# Training report: %s", "# Informe de entrenamiento: %s"},
    {"md_run", "- **Run:** `%s` (%s)", "- **Ejecuci\xC3\xB3n:** `%s` (%s)"},
    {"md_status", "- **Status:** %s", "- **Estado:** %s"},
    {"md_started", "- **Started:** %s; **duration:** %s s", "- **Inicio:** %s; **duraci\xC3\xB3n:** %s s"},
    {"md_model", "- **Model:** %s", "- **Modelo:** %s"},
    {"md_error", "- **Error:** %s", "- **Error:** %s"},
    {"md_data", "## Data", "## Datos"},
    {"md_rows", "- **Rows:** %s usable of %s read; the model was refit on all %s",
     "- **Filas:** %s utilizables de %s le\xC3\xAD"
     "das; el modelo se reentren\xC3\xB3 con las %s"},
    {"md_evaluation", "- **Evaluation:** %s", "- **Evaluaci\xC3\xB3n:** %s"},
    {"md_cv", "%s-fold cross-validation: each of the %s rows scored by a model that did not train on it",
     "validaci\xC3\xB3n cruzada en %s particiones: cada una de las %s filas la punt\xC3\xBA"
     "a un modelo que "
     "no se entren\xC3\xB3 con ella"},
    {"md_holdout", "stratified holdout of %s rows", "reserva estratificada de %s filas"},
    {"md_intents", "- **Intents:** %s", "- **Intenciones:** %s"},
    {"md_intents.labels", "- **Labels:** %s", "- **Etiquetas:** %s"},
    {"md_split_header", "| split | samples |", "| partici\xC3\xB3n | muestras |"},
    {"md_split_training", "training", "entrenamiento"},
    {"md_split_validation", "validation", "validaci\xC3\xB3n"},
    {"md_split_test", "test", "prueba"},
    {"md_cleaning",
     "- **Cleaning:** %s duplicates removed, %s label conflicts resolved, %s empty texts removed",
     "- **Limpieza:** %s duplicados eliminados, %s conflictos de etiqueta resueltos, %s textos vac\xC3\xADos "
     "eliminados"},
    // metrics.rows_duplicate_key: a classifier's rows whose key_column value
    // an earlier row of the run held (classifier_fresh_rows.cpp)
    {"md_duplicate_keys",
     "- **Shared keys:** %s rows hold a key an earlier row held: every one was trained on, but the deploy "
     "gate and the review queue take a key for one row, so a key several rows hold is never a fresh row and "
     "the review queue leaves it out. Make key_column unique.",
     "- **Claves repetidas:** %s filas tienen una clave que ya ten\xC3\xAD"
     "a una fila anterior: se entren\xC3\xB3 con todas, pero la comprobaci\xC3\xB3n de despliegue y la cola "
     "de revisi\xC3\xB3n toman una clave por una sola fila, as\xC3\xAD que una clave de varias filas nunca "
     "cuenta como mensaje nuevo y la cola de revisi\xC3\xB3n la omite. Haga \xC3\xBAnica la key_column."},
    {"dt_duplicate_keys", "Shared keys", "Claves repetidas"},
    {"duplicate_keys_line",
     "{0} rows hold a key an earlier row held: every one was trained on, but the deploy gate and the review "
     "queue take a key for one row, so a key several rows hold is never a fresh row and the review queue "
     "leaves it out. Make key_column unique.",
     "{0} filas tienen una clave que ya ten\xC3\xAD"
     "a una fila anterior: se entren\xC3\xB3 con todas, pero la comprobaci\xC3\xB3n de despliegue y la cola "
     "de revisi\xC3\xB3n toman una clave por una sola fila, as\xC3\xAD que una clave de varias filas nunca "
     "cuenta como mensaje nuevo y la cola de revisi\xC3\xB3n la omite. Haga \xC3\xBAnica la key_column."},
    {"md_small_classes", "- **Small classes:** %s",
     "- **Clases peque\xC3\xB1"
     "as:** %s"},
    {"md_headline", "## Headline metrics (%s)", "## M\xC3\xA9tricas principales (%s)"},
    {"md_metric_header", "| metric | new model | baseline | change |",
     "| m\xC3\xA9trica | modelo nuevo | referencia | cambio |"},
    {"md_m_accuracy", "accuracy", "exactitud"},
    {"md_m_precision", "macro precision", "precisi\xC3\xB3n macro"},
    {"md_m_recall", "macro recall", "exhaustividad macro"},
    {"md_m_f1", "macro F1", "F1 macro"},
    {"md_deploy", "- **Deploy decision:** %s%s", "- **Decisi\xC3\xB3n de despliegue:** %s%s"},
    {"md_deployed", "deployed", "desplegado"},
    {"md_not_deployed", "not deployed", "no desplegado"},
    {"md_no_model", "no model", "sin modelo"},
    {"md_threshold", "- **Abstain threshold:** %s (coverage on test %s, accuracy of accepted rows %s)",
     "- **Umbral de abstenci\xC3\xB3n:** %s (cobertura en prueba %s, exactitud de las filas aceptadas %s)"},
    {"md_per_intent", "## Per intent", "## Por intenci\xC3\xB3n"},
    {"md_per_intent.labels", "## By label", "## Por etiqueta"},
    {"md_per_intent_header.labels", "| label | precision | recall | F1 | support |",
     "| etiqueta | precisi\xC3\xB3n | exhaustividad | F1 | soporte |"},
    {"md_per_intent_header", "| intent | precision | recall | F1 | support |",
     "| intenci\xC3\xB3n | precisi\xC3\xB3n | exhaustividad | F1 | soporte |"},
    {"md_confusion", "## Confusion hot spots (%s)", "## Principales confusiones (%s)"},
    {"md_no_confusion_oof", "No out-of-fold confusions.",
     "No hay confusiones en la validaci\xC3\xB3n cruzada."},
    {"md_no_confusion_test", "No confusions on the test split.",
     "No hay confusiones en la partici\xC3\xB3n de prueba."},
    {"md_confusion_header.labels", "| true label | predicted as | count |",
     "| etiqueta real | predicha como | n\xC3\xBAmero |"},
    {"md_confusion_header", "| true intent | predicted as | count |",
     "| intenci\xC3\xB3n real | predicha como | n\xC3\xBAmero |"},
    {"md_misclassified", "## Misclassified examples (%s %s)", "## Ejemplos mal clasificados (%s %s)"},
    {"md_misclassified_header", "| text | expected | predicted | confidence |",
     "| texto | esperada | predicha | confianza |"},
    {"md_calibration", "## Calibration (%s)", "## Calibraci\xC3\xB3n (%s)"},
    {"md_ece", "- **Expected calibration error (ECE):** %s",
     "- **Error de calibraci\xC3\xB3n esperado (ECE):** %s"},
    {"md_brier", "- **Brier score:** %s", "- **Puntuaci\xC3\xB3n de Brier:** %s"},
    {"md_baseline_calibration", "- **Baseline ECE / Brier:** %s / %s",
     "- **ECE / Brier de referencia:** %s / %s"},
    // header and status
    {"title", "Training report: {0}", "Informe de entrenamiento: {0}"},
    {"run_code", "Run <code>{0}</code>", "Ejecuci\xC3\xB3n <code>{0}</code>"},
    {"status_bold", "status <b>{0}</b>", "estado <b>{0}</b>"},
    {"status_completed", "completed", "completada"},
    {"status_failed", "failed", "fallida"},
    {"status_running", "running", "en curso"},
    {"started", "started {0}", "iniciada el {0}"},
    {"took_s", "took {0} s", "dur\xC3\xB3 {0} s"},
    {"model_is", "model {0}", "modelo {0}"},
    {"none", "none", "ninguno"},
    {"badge_failed", "Failed", "Fallida"},
    {"run_failed", "This run failed", "Esta ejecuci\xC3\xB3n fall\xC3\xB3"},
    {"badge_running", "Running", "En curso"},
    {"run_running", "This run has not finished", "Esta ejecuci\xC3\xB3n a\xC3\xBAn no ha terminado"},
    {"no_error", "No error was recorded.", "No se registr\xC3\xB3 ning\xC3\xBAn error."},
    // headline
    {"headline", "Headline metrics", "M\xC3\xA9tricas principales"},
    {"out_of_fold", "out-of-fold", "validaci\xC3\xB3n cruzada"},
    {"test_split", "test split", "partici\xC3\xB3n de prueba"},
    {"m_accuracy", "Accuracy", "Exactitud"},
    {"m_precision", "Macro precision", "Precisi\xC3\xB3n macro"},
    {"m_recall", "Macro recall", "Exhaustividad macro"},
    {"m_f1", "Macro F1", "F1 macro"},
    {"m_ece", "ECE", "ECE"},
    {"m_brier", "Brier", "Brier"},
    {"baseline_value", "baseline {0}", "referencia {0}"},
    {"card_fresh", "on the {0} fresh rows: {1} against {2} for the active model",
     "con los {0} mensajes nuevos: {1} frente a {2} del modelo activo"},
    {"cards_note_fresh",
     "The large figures are this run's, out of fold on all its rows. Under accuracy and macro F1, the "
     "comparison the decision uses: this run and the active model (model {0}) on the same {1} fresh rows, "
     "reviewed messages the active model had never trained on.",
     "Las cifras grandes son las de esta ejecuci\xC3\xB3n, en validaci\xC3\xB3n cruzada con todas sus "
     "filas. Bajo la exactitud y el F1 macro, la comparaci\xC3\xB3n con la que se decidi\xC3\xB3: esta "
     "ejecuci\xC3\xB3n y el modelo activo (modelo {0}) con los mismos {1} mensajes nuevos, mensajes "
     "revisados con los que el modelo activo nunca se hab\xC3\xAD"
     "a entrenado."},
    {"baseline_note", "Baseline: the model that was active when this run trained",
     "Referencia: el modelo que estaba en servicio cuando se entren\xC3\xB3 esta ejecuci\xC3\xB3n"},
    {"baseline_note_model", " (model {0})", " (modelo {0})"},
    {"baseline_note_fresh", ", measured on the {0} reviewed rows it had never trained on.",
     ", medido con los {0} mensajes revisados con los que nunca se hab\xC3\xAD"
     "a entrenado."},
    {"baseline_note_estimates", ", as its own recorded F1 estimate.",
     ", seg\xC3\xBAn la estimaci\xC3\xB3n de F1 que tiene registrada."},
    {"baseline_note_eval_rows", ", scored on this run's evaluation rows.",
     ", evaluado con las filas de evaluaci\xC3\xB3n de esta ejecuci\xC3\xB3n."},
    {"baseline_note_none", "; there was none.",
     "; no hab\xC3\xAD"
     "a ninguno."},
    {"ece_note", " ECE (expected calibration error) and Brier: lower is better.",
     " ECE (error de calibraci\xC3\xB3n esperado) y Brier: cuanto m\xC3\xA1s bajos, mejor."},
    // the deploy decision
    {"deploy_decision", "Deploy decision", "Decisi\xC3\xB3n de despliegue"},
    {"badge_deployed", "Deployed", "Desplegado"},
    {"badge_not_deployed", "Not deployed", "No desplegado"},
    {"badge_no_model", "No model", "Sin modelo"},
    {"reason_code", "reason <code>{0}</code>", "motivo <code>{0}</code>"},
    {"dec_first",
     "The new model was put in service because there was no model in service to compare it with.",
     "El nuevo modelo se puso en servicio porque no hab\xC3\xAD"
     "a ning\xC3\xBAn modelo activo con el que compararlo."},
    {"dec_untested", "The new model was not put in service: there were no messages left to test it on.",
     "El nuevo modelo no se puso en servicio: no quedaban mensajes con los que probarlo."},
    {"dec_insufficient",
     "The new model was not put in service: there was nothing to compare it with (too few newly reviewed "
     "messages, "
     "and no recorded estimate for the model in service). The model in service stays.",
     "El nuevo modelo no se puso en servicio: no hab\xC3\xAD"
     "a con qu\xC3\xA9 compararlo (muy pocos mensajes revisados "
     "nuevos y ninguna estimaci\xC3\xB3n registrada del modelo activo). Se mantiene el modelo activo."},
    {"dec_baseline_changed",
     "The new model was not put in service: another model was deployed while this run was training, so the "
     "comparison no longer applies.",
     "El nuevo modelo no se puso en servicio: mientras se entrenaba se despleg\xC3\xB3 otro modelo, "
     "as\xC3\xAD que la "
     "comparaci\xC3\xB3n ya no es v\xC3\xA1lida."},
    {"dec_rollback", "This model was put back in service by a rollback.",
     "Este modelo volvi\xC3\xB3 a ponerse en servicio al deshacer un despliegue."},
    {"dec_manual",
     "The new model was put in service because the run was asked to deploy it whatever the result (deploy = "
     "always).",
     "El nuevo modelo se puso en servicio porque se pidi\xC3\xB3 desplegarlo fuera cual fuera el resultado "
     "(deploy = always)."},
    {"dec_never",
     "The new model was not put in service because the run was asked not to deploy (deploy = never).",
     "El nuevo modelo no se puso en servicio porque se pidi\xC3\xB3 no desplegarlo (deploy = never)."},
    {"dec_improved_fresh",
     "The new model was put in service because it got {0} more of the {1} newest reviewed messages right "
     "than the "
     "model in service ({2} against {3}); neither model had trained on those messages.",
     "El nuevo modelo se puso en servicio porque acert\xC3\xB3 {0} mensajes m\xC3\xA1s que el modelo activo "
     "de los {1} "
     "mensajes revisados m\xC3\xA1s recientes ({2} frente a {3}); ninguno de los dos modelos se hab\xC3\xAD"
     "a entrenado "
     "con ellos."},
    {"dec_improved_f1",
     "The new model was put in service: of the {0} newest reviewed messages it got as many right as the "
     "model in "
     "service ({1}), and its answers are better balanced across intents (F1 {2} against {3}).",
     "El nuevo modelo se puso en servicio: de los {0} mensajes revisados m\xC3\xA1s recientes acert\xC3\xB3 "
     "tantos como "
     "el modelo activo ({1}), y sus respuestas est\xC3\xA1n mejor repartidas entre las intenciones (F1 {2} "
     "frente a {3})."},
    {"dec_improved_estimates",
     "The new model was put in service because its estimated F1 ({0}) is higher than the one recorded for "
     "the model "
     "in service ({1}). There were too few newly reviewed messages to compare both on the same messages.",
     "El nuevo modelo se puso en servicio porque su F1 estimado ({0}) es mayor que el registrado para el "
     "modelo activo "
     "({1}). No hab\xC3\xAD"
     "a suficientes mensajes revisados nuevos para comparar los dos con los mismos mensajes."},
    {"dec_within_tolerance",
     "The new model was put in service: it was not worse than the model in service by more than the allowed "
     "margin "
     "(F1 {0} against {1}, margin {2}).",
     "El nuevo modelo se puso en servicio: no empeor\xC3\xB3 respecto al modelo activo m\xC3\xA1s de lo "
     "permitido (F1 {0} "
     "frente a {1}, margen {2})."},
    {"dec_regression_fresh",
     "The new model was not put in service because it got {0} fewer of the {1} newest reviewed messages "
     "right than "
     "the model in service ({2} against {3}). The model in service stays.",
     "El nuevo modelo no se puso en servicio porque acert\xC3\xB3 {0} mensajes menos que el modelo activo de "
     "los {1} "
     "mensajes revisados m\xC3\xA1s recientes ({2} frente a {3}). Se mantiene el modelo activo."},
    {"dec_regression_f1",
     "The new model was not put in service because its F1 ({0}) is below the model in service's ({1}) by "
     "more than "
     "the allowed margin ({2}). The model in service stays.",
     "El nuevo modelo no se puso en servicio porque su F1 ({0}) queda por debajo del del modelo activo ({1}) "
     "m\xC3\xA1s "
     "de lo permitido (margen {2}). Se mantiene el modelo activo."},
    {"dec_fallback_better",
     "This partition's own model was not put in service: on the partition's {0} messages, each judged by "
     "models that never saw it, it got {1} right and the shared fallback model {2} (F1 {3} against {4}). "
     "The fallback keeps answering for this partition.",
     "El modelo propio de esta partici\xC3\xB3n no se puso en servicio: en los {0} mensajes de la "
     "partici\xC3\xB3n, cada uno juzgado por modelos que no lo hab\xC3\xAD"
     "an visto, acert\xC3\xB3 {1} y "
     "el modelo compartido de respaldo {2} (F1 {3} frente a {4}). El modelo de respaldo sigue respondiendo "
     "por esta partici\xC3\xB3n."},
    {"dec_tie",
     "The new model was not put in service: of the {0} newest reviewed messages both models got exactly {1} "
     "right, "
     "and the new one was not better balanced across intents. The model in service stays; the next run "
     "compares "
     "them on more messages.",
     "El nuevo modelo no se puso en servicio: de los {0} mensajes revisados m\xC3\xA1s recientes los dos "
     "modelos "
     "acertaron exactamente {1}, y el nuevo no reparte mejor sus aciertos entre las intenciones. Se mantiene "
     "el modelo "
     "activo; la pr\xC3\xB3xima ejecuci\xC3\xB3n los comparar\xC3\xA1 con m\xC3\xA1s mensajes."},
    {"dec_fresh_more",
     "On the {1} newest reviewed messages it got {0} more right than the model in service ({2} against {3}).",
     "Con los {1} mensajes revisados m\xC3\xA1s recientes acert\xC3\xB3 {0} m\xC3\xA1s que el modelo activo "
     "({2} frente a {3})."},
    {"dec_fresh_fewer",
     "On the {1} newest reviewed messages it got {0} fewer right than the model in service ({2} against "
     "{3}).",
     "Con los {1} mensajes revisados m\xC3\xA1s recientes acert\xC3\xB3 {0} menos que el modelo activo ({2} "
     "frente a {3})."},
    {"dec_fresh_same", "On the {0} newest reviewed messages both models got {1} right.",
     "Con los {0} mensajes revisados m\xC3\xA1s recientes los dos modelos acertaron {1}."},
    {"dec_estimates", "Its estimated F1 was {0}, against {1} recorded for the model in service.",
     "Su F1 estimado fue {0}, frente a {1} registrado para el modelo activo."},
    {"dt_evidence", "Evidence", "Pruebas"},
    {"ev_fresh_rows", ": both models scored on reviewed rows the active model had never trained on.",
     ": los dos modelos evaluados con mensajes revisados con los que el modelo activo nunca se hab\xC3\xAD"
     "a entrenado."},
    {"ev_estimates",
     ": too few fresh rows; this run's out-of-fold F1 against the active model's recorded estimate.",
     ": muy pocos mensajes nuevos; el F1 de validaci\xC3\xB3n cruzada de esta ejecuci\xC3\xB3n frente a la "
     "estimaci\xC3\xB3n "
     "registrada del modelo activo."},
    {"ev_none", ": no comparison was needed or possible.",
     ": no hac\xC3\xAD"
     "a falta comparar o no era posible."},
    {"dt_compared", "Compared", "Comparaci\xC3\xB3n"},
    {"compared", "this model F1 <b>{0}</b> against baseline F1 <b>{1}</b>{2}",
     "F1 de este modelo <b>{0}</b> frente a F1 de referencia <b>{1}</b>{2}"},
    {"allowed_regression", "; allowed regression {0}", "; empeoramiento permitido {0}"},
    {"dt_fresh_rows", "Fresh rows", "Mensajes nuevos"},
    {"no_fresh_rows_sentence", "none: the active model had trained on every reviewed message.",
     "ninguno: el modelo activo se hab\xC3\xAD"
     "a entrenado con todos los mensajes revisados."},
    // A classifier's run says by which rule (metrics.fresh_rows_rule):
    {"no_fresh_rows_key",
     "none: the active model had trained on every reviewed message (of the gate_window_days window, when "
     "set).",
     "ninguno: el modelo activo se hab\xC3\xAD"
     "a entrenado con todos los mensajes revisados (de la ventana gate_window_days, si la hay)."},
    {"no_fresh_rows_time",
     "none: no reviewed message is later than the start of the active model's training and not dated in "
     "the future (and within the gate_window_days window, when set).",
     "ninguno: ning\xC3\xBAn mensaje revisado es posterior al inicio del entrenamiento del modelo activo sin "
     "estar fechado en el futuro (y dentro de la ventana gate_window_days, si la hay)."},
    {"no_fresh_rows_no_rule",
     "none: neither keys recorded by the active model's training nor a time_column tell which messages it "
     "never trained on.",
     "ninguno: ni las claves registradas en el entrenamiento del modelo activo ni un time_column dicen con "
     "qu\xC3\xA9 mensajes no se entren\xC3\xB3."},
    {"gate_enough", " Enough to decide on (at least {0} are needed).",
     " Suficientes para decidir (hacen falta al menos {0})."},
    {"gate_too_few", " Too few to decide on (at least {0} are needed): the comparison would be too noisy.",
     " Demasiado pocos para decidir (hacen falta al menos {0}): la comparaci\xC3\xB3n ser\xC3\xAD"
     "a poco fiable."},
    // the abstain threshold's reason (threshold.reason_code)
    {"thr_too_few",
     "{0} out-of-fold predictions, fewer than the {1} needed to estimate a precision (min_threshold_rows): "
     "the model never abstains.",
     "{0} predicciones de validaci\xC3\xB3n cruzada, menos de las {1} necesarias para estimar una "
     "precisi\xC3\xB3n (min_threshold_rows): el modelo nunca se abstiene."},
    {"thr_target",
     "the lowest confidence at which the accepted predictions reach the target precision {0}; accepted: "
     "precision {1}, coverage {2}.",
     "la confianza m\xC3\xA1s baja con la que las predicciones aceptadas alcanzan la precisi\xC3\xB3n "
     "objetivo de {0}; aceptadas: precisi\xC3\xB3n {1}, cobertura {2}."},
    {"thr_best",
     "no confidence reaches the target precision {0}; the one with the best precision was taken (precision "
     "{1}, coverage {2}).",
     "ninguna confianza alcanza la precisi\xC3\xB3n objetivo de {0}; se tom\xC3\xB3 la de mejor "
     "precisi\xC3\xB3n (precisi\xC3\xB3n {1}, cobertura {2})."},
    {"thr_floor",
     "the minimum threshold (threshold_floor) {0}, above {1}, the lowest confidence at which the accepted "
     "predictions reach the target precision {2}; accepted: precision {3}, coverage {4}.",
     "el umbral m\xC3\xADnimo (threshold_floor) {0}, por encima de {1}, la confianza m\xC3\xA1s baja con "
     "la que las predicciones aceptadas alcanzan la precisi\xC3\xB3n objetivo de {2}; aceptadas: "
     "precisi\xC3\xB3n {3}, cobertura {4}."},
    {"fresh_rows_line",
     "{0} rows: active model accuracy {1}, F1 {2}; this model accuracy {3}, F1 {4}; right only for this "
     "model {5}, "
     "only for the active one {6}.",
     "{0} mensajes: modelo activo exactitud {1}, F1 {2}; este modelo exactitud {3}, F1 {4}; acertados solo "
     "por este "
     "modelo {5}, solo por el activo {6}."},
    {"dt_threshold", "Abstain threshold", "Umbral de abstenci\xC3\xB3n"},
    // how the figures were obtained
    {"how_obtained", "How the figures were obtained", "C\xC3\xB3mo se obtuvieron las cifras"},
    {"dt_method", "Method", "M\xC3\xA9todo"},
    {"method_cv",
     "<dt>Method</dt><dd><b>{0}-fold cross-validation</b>: each of the {1} rows was scored by a model that "
     "did not "
     "train on it.</dd>",
     "<dt>M\xC3\xA9todo</dt><dd><b>validaci\xC3\xB3n cruzada en {0} particiones</b>: cada una de las {1} "
     "filas la "
     "evalu\xC3\xB3 un modelo que no se hab\xC3\xAD"
     "a entrenado con ella.</dd>"},
    {"method_holdout", "<dt>Method</dt><dd><b>holdout</b>: a stratified holdout of {0} rows.</dd>",
     "<dt>M\xC3\xA9todo</dt><dd><b>reserva</b>: una reserva estratificada de {0} filas.</dd>"},
    {"method_split",
     "<dt>Method</dt><dd><b>test split</b> (0.1.0): {0} training, {1} validation, {2} test rows.</dd>",
     "<dt>M\xC3\xA9todo</dt><dd><b>partici\xC3\xB3n de prueba</b> (0.1.0): {0} filas de entrenamiento, {1} "
     "de "
     "validaci\xC3\xB3n y {2} de prueba.</dd>"},
    {"rows_line", "<dt>Rows</dt><dd>{0} read, {1} usable; the model was refit on all {2}</dd>",
     "<dt>Filas</dt><dd>{0} le\xC3\xAD"
     "das, {1} utilizables; el modelo se volvi\xC3\xB3 a entrenar con las {2}</dd>"},
    {"dt_why", "Why", "Motivo"},
    // why this method and fold count (evaluation.reason_code)
    {"why_size_rule",
     "{0} folds, chosen by the size of the training ({1} rows, {2} intents): small trainings get 5 folds, "
     "larger ones 3 or 2, so that evaluating costs about as much as training once more.",
     "{0} particiones, seg\xC3\xBAn el tama\xC3\xB1o del entrenamiento ({1} filas, {2} intenciones): los "
     "entrenamientos peque\xC3\xB1os usan 5 particiones y los mayores 3 o 2, para que evaluar cueste "
     "m\xC3\xA1s o menos lo mismo que entrenar una vez m\xC3\xA1s."},
    {"why_size_rule.labels",
     "{0} folds, chosen by the size of the training ({1} rows, {2} labels): small trainings get 5 folds, "
     "larger ones 3 or 2, so that evaluating costs about as much as training once more.",
     "{0} particiones, seg\xC3\xBAn el tama\xC3\xB1o del entrenamiento ({1} filas, {2} etiquetas): los "
     "entrenamientos peque\xC3\xB1os usan 5 particiones y los mayores 3 o 2, para que evaluar cueste "
     "m\xC3\xA1s o menos lo mismo que entrenar una vez m\xC3\xA1s."},
    {"why_cv_folds", "the number of folds was set with the cv_folds option.",
     "el n\xC3\xBAmero de particiones se fij\xC3\xB3 con la opci\xC3\xB3n cv_folds."},
    {"why_evaluation_option", "the evaluation option asked for this method.",
     "la opci\xC3\xB3n evaluation pidi\xC3\xB3 este m\xC3\xA9todo."},
    {"dt_intents", "Intents", "Intenciones"},
    {"dt_intents.labels", "Labels", "Etiquetas"},
    {"cleaning",
     "<dt>Cleaning</dt><dd>{0} duplicates removed, {1} label conflicts resolved, {2} empty texts "
     "removed</dd>",
     "<dt>Limpieza</dt><dd>{0} duplicados eliminados, {1} conflictos de etiqueta resueltos, {2} textos "
     "vac\xC3\xAD"
     "os "
     "eliminados</dd>"},
    // the subword_vectors option's weight (report.subword_weight)
    {"dt_subword", "Subword vectors", "Vectores de subpalabras"},
    {"subword_left_out", "<b>left out</b> (weight 0): the model is the one trained without the option",
     "<b>no usados</b> (peso 0): el modelo es el que se entrena sin la opci\xC3\xB3n"},
    {"subword_weight", "weight <b>{0}</b>", "peso <b>{0}</b>"},
    {"subword_chosen", ", chosen by out-of-fold accuracy among {0}",
     ", elegido por la exactitud en validaci\xC3\xB3n cruzada entre {0}"},
    {"subword_given", ", as given in the options", ", el indicado en las opciones"},
    {"dt_small_classes", "Small classes",
     "Clases peque\xC3\xB1"
     "as"},
    // trend
    {"trend_title", "Trend across runs", "Evoluci\xC3\xB3n entre ejecuciones"},
    {"trend_runs", "last {0} completed runs, oldest first",
     "\xC3\xBAltimas {0} ejecuciones completadas, de la m\xC3\xA1s antigua a la m\xC3\xA1s reciente"},
    {"trend_one", "the only completed run so far", "la \xC3\xBAnica ejecuci\xC3\xB3n completada hasta ahora"},
    {"trend_aria", "accuracy, coverage and F1 across runs", "exactitud, cobertura y F1 por ejecuci\xC3\xB3n"},
    {"trend_coverage", "Coverage", "Cobertura"},
    {"trend_note",
     "Each point is one completed training run of this classifier (numbered as in the table). Coverage is "
     "the share "
     "of messages answered above the abstain threshold.",
     "Cada punto es una ejecuci\xC3\xB3n de entrenamiento completada de este clasificador (numeradas como en "
     "la tabla). "
     "La cobertura es la proporci\xC3\xB3n de mensajes que se responden por encima del umbral de "
     "abstenci\xC3\xB3n."},
    {"trend_table", "The same figures as a table", "Las mismas cifras en una tabla"},
    {"th_run", "run", "ejecuci\xC3\xB3n"},
    {"th_started", "started", "inicio"},
    {"th_deployed", "deployed", "desplegado"},
    {"yes", "yes", "s\xC3\xAD"},
    {"no", "no", "no"},
    {"no_figure", "no data", "sin datos"},
    // confusion heatmap
    {"confusion_title", "Confusion matrix", "Matriz de confusi\xC3\xB3n"},
    {"no_confusions", "No confusions among the {0} intents.",
     "Ninguna confusi\xC3\xB3n entre las {0} intenciones."},
    {"no_confusions.labels", "No confusions among the {0} labels.",
     "Ninguna confusi\xC3\xB3n entre las {0} etiquetas."},
    {"all_intents", "All {0} intents.", "Las {0} intenciones."},
    {"all_intents.labels", "All {0} labels.", "Las {0} etiquetas."},
    {"some_intents.labels",
     "{0} labels, {1} of them involved in confusions; shown: the {2} involved in the most ({3}); left out: "
     "{4}.",
     "{0} etiquetas, {1} de ellas con confusiones; se muestran las {2} con m\xC3\xA1s confusiones ({3}); "
     "se omiten: {4}."},
    {"confusion_note.labels",
     "Rows are the true labels, columns the predicted ones; a cell's colour is its share of the row (blue: "
     "right, red: confused with another label).",
     "Las filas son las etiquetas reales y las columnas las predichas; el color de una celda es su "
     "proporci\xC3\xB3n dentro de la fila (azul: acierto; rojo: confundida con otra etiqueta)."},
    {"predicted_axis.labels", "predicted label", "etiqueta predicha"},
    {"true_axis.labels", "true label", "etiqueta real"},
    {"f1_title.labels", "F1 per label", "F1 por etiqueta"},
    {"f1_note.labels",
     "Green: F1 &ge; 0.8, amber: &ge; 0.6, red: below. n is the label's number of evaluated rows.",
     "Verde: F1 &ge; 0,8; \xC3\xA1mbar: &ge; 0,6; rojo: por debajo. n es el n\xC3\xBAmero de filas "
     "evaluadas de la etiqueta."},
    {"threshold_note.labels",
     "Each point accepts the predictions at or above a confidence. The chosen threshold <b>{0}</b> answers "
     "{1}% of the messages with accuracy {2}; below it predict_label() returns no label.",
     "Cada punto acepta las predicciones con una confianza igual o superior. El umbral elegido, <b>{0}</b>, "
     "responde el {1} % de los mensajes con una exactitud de {2}; por debajo, predict_label() no devuelve "
     "ninguna etiqueta."},
    {"dec_improved_f1.labels",
     "The new model was put in service: of the {0} newest reviewed messages it got as many right as the "
     "model in service ({1}), and its answers are better balanced across labels (F1 {2} against {3}).",
     "El nuevo modelo se puso en servicio: de los {0} mensajes revisados m\xC3\xA1s recientes "
     "acert\xC3\xB3 tantos como el modelo activo ({1}), y sus respuestas est\xC3\xA1n mejor repartidas "
     "entre las etiquetas (F1 {2} frente a {3})."},
    {"dec_tie.labels",
     "The new model was not put in service: of the {0} newest reviewed messages both models got exactly {1} "
     "right, and the new one was not better balanced across labels. The model in service stays; the next "
     "run compares them on more messages.",
     "El nuevo modelo no se puso en servicio: de los {0} mensajes revisados m\xC3\xA1s recientes los dos "
     "modelos acertaron exactamente {1}, y el nuevo no reparte mejor sus aciertos entre las etiquetas. Se "
     "mantiene el modelo activo; la pr\xC3\xB3xima ejecuci\xC3\xB3n los comparar\xC3\xA1 con m\xC3\xA1s "
     "mensajes."},
    {"some_intents",
     "{0} intents, {1} of them involved in confusions; shown: the {2} involved in the most ({3}); left out: "
     "{4}.",
     "{0} intenciones, {1} de ellas con confusiones; se muestran las {2} con m\xC3\xA1s confusiones ({3}); "
     "se omiten: {4}."},
    {"confusion_note",
     "Rows are the true intents, columns the predicted ones; a cell's colour is its share of the row (blue: "
     "right, "
     "red: confused with another intent).",
     "Las filas son las intenciones reales y las columnas las predichas; el color de una celda es su "
     "proporci\xC3\xB3n "
     "dentro de la fila (azul: acierto; rojo: confundida con otra intenci\xC3\xB3n)."},
    {"confusion_aria", "confusion matrix heatmap", "mapa de calor de la matriz de confusi\xC3\xB3n"},
    {"predicted_axis", "predicted intent", "intenci\xC3\xB3n predicha"},
    {"true_axis", "true intent", "intenci\xC3\xB3n real"},
    {"legend_right", "right (share of the row)", "acierto (proporci\xC3\xB3n de la fila)"},
    {"legend_confused", "confused", "confundida"},
    {"legend_none", "none", "ninguna"},
    {"cell_title", "true {0}, predicted {1}: {2} ({3}% of {4})",
     "real {0}, predicha {1}: {2} ({3} % de {4})"},
    // F1 bars
    {"f1_title", "F1 per intent", "F1 por intenci\xC3\xB3n"},
    {"worst_first", "worst first", "de peor a mejor"},
    {"worst_first_of", "the {0} worst of {1}, worst first", "las {0} peores de {1}, de peor a mejor"},
    {"bar_title", "{0}: F1 {1}, precision {2}, recall {3}, support {4}",
     "{0}: F1 {1}, precisi\xC3\xB3n {2}, exhaustividad {3}, soporte {4}"},
    {"f1_note",
     "Green: F1 &ge; 0.8, amber: &ge; 0.6, red: below. n is the intent's number of evaluated rows.",
     "Verde: F1 &ge; 0,8; \xC3\xA1mbar: &ge; 0,6; rojo: por debajo. n es el n\xC3\xBAmero de filas evaluadas "
     "de la "
     "intenci\xC3\xB3n."},
    // reliability and coverage
    {"reliability", "Reliability", "Fiabilidad"},
    {"coverage_title", "Coverage and accuracy", "Cobertura y exactitud"},
    {"rows_no_access",
     "Not available: you may not read the run's out-of-fold predictions (ai_training_run_rows; a named "
     "classifier's run: ai_classifier_run_rows).",
     "No disponible: usted no tiene permiso para leer las predicciones de validaci\xC3\xB3n cruzada de la "
     "ejecuci\xC3\xB3n (ai_training_run_rows; la ejecuci\xC3\xB3n de un clasificador con nombre: "
     "ai_classifier_run_rows)."},
    {"rows_none",
     "Not available for this run: it has no out-of-fold predictions recorded (ai_training_run_rows; a named "
     "classifier's run: ai_classifier_run_rows, with a key_column).",
     "No disponible para esta ejecuci\xC3\xB3n: no tiene predicciones de validaci\xC3\xB3n cruzada "
     "registradas (ai_training_run_rows; la ejecuci\xC3\xB3n de un clasificador con nombre: "
     "ai_classifier_run_rows, con key_column)."},
    {"rows_oof", "{0} rows, out-of-fold", "{0} filas, validaci\xC3\xB3n cruzada"},
    {"reliability_aria", "reliability diagram", "diagrama de fiabilidad"},
    {"bin_title", "confidence {0}&ndash;{1}: {2} rows, accuracy {3}, mean confidence {4}",
     "confianza {0}&ndash;{1}: {2} filas, exactitud {3}, confianza media {4}"},
    {"confidence_axis", "confidence", "confianza"},
    {"accuracy_axis", "accuracy", "exactitud"},
    {"reliability_note",
     "Bars: accuracy of the predictions in each confidence bin (count above); dots: their mean confidence; "
     "dashed: "
     "perfect calibration. ECE {0}.",
     "Barras: exactitud de las predicciones de cada tramo de confianza (con su n\xC3\xBAmero encima); "
     "puntos: su "
     "confianza media; discontinua: calibraci\xC3\xB3n perfecta. ECE {0}."},
    {"abstain_threshold", "abstain threshold", "umbral de abstenci\xC3\xB3n"},
    {"coverage_aria", "coverage accuracy curve", "curva de cobertura y exactitud"},
    {"coverage_axis", "coverage (share of messages answered)",
     "cobertura (proporci\xC3\xB3n de mensajes respondidos)"},
    {"answered_accuracy_axis", "accuracy of the answered", "exactitud de los respondidos"},
    {"no_threshold", "The run recorded no abstain threshold.",
     "La ejecuci\xC3\xB3n no registr\xC3\xB3 ning\xC3\xBAn umbral de abstenci\xC3\xB3n."},
    {"threshold_none_accepted", "The abstain threshold {0} accepts none of the out-of-fold predictions.",
     "El umbral de abstenci\xC3\xB3n {0} no acepta ninguna de las predicciones de validaci\xC3\xB3n "
     "cruzada."},
    {"threshold_title", "threshold {0}: coverage {1}, accuracy {2}",
     "umbral {0}: cobertura {1}, exactitud {2}"},
    {"threshold_label", "threshold {0}", "umbral {0}"},
    {"threshold_note",
     "Each point accepts the predictions at or above a confidence. The chosen threshold <b>{0}</b> answers "
     "{1}% of "
     "the messages with accuracy {2}; below it predict_intent() marks the answer uncertain.",
     "Cada punto acepta las predicciones con una confianza igual o superior. El umbral elegido, <b>{0}</b>, "
     "responde "
     "el {1} % de los mensajes con una exactitud de {2}; por debajo, predict_intent() marca la respuesta "
     "como "
     "incierta."},
    // misclassified
    {"misclassified_title", "Misclassified examples", "Ejemplos mal clasificados"},
    {"out_of_fold_words", "out of fold", "en validaci\xC3\xB3n cruzada"},
    {"on_test_split", "on the test split", "en la partici\xC3\xB3n de prueba"},
    {"most_confident_shown", ", the {0} most confident shown",
     "; se muestran los {0} con m\xC3\xA1s confianza"},
    {"most_confident_first", ", most confident first", "; primero los de m\xC3\xA1s confianza"},
    {"none_found", "None.", "Ninguno."},
    {"th_message", "message", "mensaje"},
    {"th_label", "label", "etiqueta"},
    {"th_predicted", "predicted", "predicha"},
    {"th_confidence", "confidence", "confianza"},
    {"hidden_no_access", "no access", "sin acceso"},
    {"hidden_not_visible", "not visible", "no visible"},
    // a named classifier's example: its report keeps the source row's key (%s), not its text
    {"hidden_not_stored", "text not stored for classifier runs; key %s",
     "texto no guardado en las ejecuciones de clasificadores; clave %s"},
    {"footer",
     "pg_intent training_report(); figures from the run's stored report and out-of-fold predictions.",
     "pg_intent training_report(); cifras del informe guardado de la ejecuci\xC3\xB3n y de sus predicciones "
     "de "
     "validaci\xC3\xB3n cruzada."},
};

const std::unordered_map<std::string_view, const Entry *> &index() {
    static const std::unordered_map<std::string_view, const Entry *> map = [] {
        std::unordered_map<std::string_view, const Entry *> m;
        for (const Entry &e : kTexts)
            m.emplace(e.key, &e);
        return m;
    }();
    return map;
}

} // namespace

const char *text_for(std::string_view key, Language language, Wording wording) {
    if (wording == Wording::Labels) {
        auto it = index().find(std::string(key) + ".labels");
        if (it != index().end()) return language == Language::Spanish ? it->second->es : it->second->en;
    }
    return text(key, language);
}

const char *text(std::string_view key, Language language) {
    auto it = index().find(key);
    if (it == index().end()) throw Error(ErrorKind::Internal, "unknown report text: " + std::string(key));
    return language == Language::Spanish ? it->second->es : it->second->en;
}

} // namespace intent::report
