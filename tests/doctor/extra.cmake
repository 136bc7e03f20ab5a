# test_doctor: reuses the probe tests' capture-tree helper (the shared H200 capture stores
# symlinks as files on some checkouts; materialize() restores them in a copy).
target_sources(test_doctor PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/probe/capture_tree.cpp)
