#pragma once
// Asserting on error messages: the message is part of the contract (it is
// what the person who supplied the file reads).
#include <gtest/gtest.h>

#include <string>

#include "engine/core/error.h"

// Runs `statement`, expects a distillery::Error whose message contains every
// given fragment.
#define EXPECT_ERROR_WITH(statement, ...)                                                     \
  do {                                                                                        \
    try {                                                                                     \
      statement;                                                                              \
      ADD_FAILURE() << "expected distillery::Error from: " #statement;                        \
    } catch (const distillery::Error& error_) {                                               \
      for (const std::string& fragment_ : {__VA_ARGS__})                                      \
        EXPECT_NE(std::string(error_.what()).find(fragment_), std::string::npos)              \
            << "message '" << error_.what() << "' lacks '" << fragment_ << "'";               \
    }                                                                                         \
  } while (0)
