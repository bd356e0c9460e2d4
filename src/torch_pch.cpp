// Anchors the precompiled header of the sidr library.
#include "torch_pch.h"
