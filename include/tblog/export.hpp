#pragma once
// TBLOG_API marks what libtblog.so exports. The library is compiled with hidden visibility,
// so only the classes and functions marked here are visible to programs linking it; the
// internals stay private to the library and cannot clash with a program's own symbols.
//
// tblog builds define TBLOG_LIB_EXPORT; programs linking tblog::tblog_shared get TBLOG_SHARED
// (used on Windows only, for dllimport). Programs linking the static library need neither.
#if defined(_WIN32)
#  if defined(TBLOG_LIB_EXPORT)
#    define TBLOG_API __declspec(dllexport)
#  elif defined(TBLOG_SHARED)
#    define TBLOG_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define TBLOG_API __attribute__((visibility("default")))
#endif
#ifndef TBLOG_API
#  define TBLOG_API
#endif
