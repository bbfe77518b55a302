#pragma once
// Everything tblog offers, in one include.
#include "tblog/config.hpp"
#include "tblog/error.hpp"
#include "tblog/file_system.hpp"
#include "tblog/graph.hpp"
#include "tblog/image.hpp"
#include "tblog/progress.hpp"
#include "tblog/reader.hpp"
#include "tblog/signals.hpp"
#include "tblog/summary_writer.hpp"
#include "tblog/version.hpp"
