#pragma once
// The two names C++ writes in more than one place (issue 33, one rule in one
// place): every C++ reader takes them from here.
//
// The SQL side keeps its own where SQL needs them: the built-in classifier's
// name in its functions' defaults and checks, the abstain label in
// is_valid_intent_name() (src/sql/schema/00_intent_name.sql), which refuses
// it as a training label so that no intent can be named what classify_intent()
// answers when it abstains. test/sql/predict.sql checks that the two agree
// (the answer below the threshold is a name is_valid_intent_name() refuses).

namespace intent {

// The built-in classifier's name: the one train_intent_model() trains from
// ai_training_data and predict_intent() serves (0.1.0's runs and models
// have no classifier and are its).
inline constexpr char kBuiltinClassifier[] = "intent";

// The label classify_intent() answers when the model abstains (below its
// threshold): never a training label (is_valid_intent_name()).
inline constexpr char kUncertainLabel[] = "uncertain";

} // namespace intent
