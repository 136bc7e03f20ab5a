# envs' tests also check the environments' JSON (report/environment_json.cpp, table.cpp)
# without pulling in the whole report layer above them.
target_sources(test_envs PRIVATE ${CMAKE_SOURCE_DIR}/src/report/environment_json.cpp
                                 ${CMAKE_SOURCE_DIR}/src/report/table.cpp)
target_link_libraries(test_envs PRIVATE nlohmann_json::nlohmann_json)
